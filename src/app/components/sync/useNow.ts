import { onMounted, onUnmounted, ref, type Ref } from 'vue'

/** The current time, refreshed while the component is shown, so "3分钟前" keeps counting. */
export function useNow(periodMs = 30_000): Ref<number> {
  const now = ref(Date.now())
  let handle: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    handle = setInterval(() => (now.value = Date.now()), periodMs)
  })
  onUnmounted(() => clearInterval(handle))
  return now
}
