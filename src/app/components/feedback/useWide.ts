import { onMounted, onUnmounted, ref, type Ref } from 'vue'

/** True from tablet width up (≥ 600px), where list and detail sit side by side. */
export function useWide(): Ref<boolean> {
  const wide = ref(false)
  let query: MediaQueryList | undefined
  const update = () => (wide.value = !!query?.matches)
  onMounted(() => {
    query = typeof window.matchMedia === 'function' ? window.matchMedia('(min-width: 600px)') : undefined
    update()
    query?.addEventListener('change', update)
  })
  onUnmounted(() => query?.removeEventListener('change', update))
  return wide
}
