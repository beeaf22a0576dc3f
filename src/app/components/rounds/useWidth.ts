import { onMounted, onUnmounted, ref, type Ref } from 'vue'

/** An element's width in px, kept up to date; 0 where layout is unknown (tests without a browser). */
export function useWidth(el: Ref<HTMLElement | null>): Ref<number> {
  const width = ref(0)
  let observer: ResizeObserver | undefined
  onMounted(() => {
    if (!el.value || typeof ResizeObserver === 'undefined') return
    observer = new ResizeObserver(([entry]) => (width.value = entry?.contentRect.width ?? 0))
    observer.observe(el.value)
  })
  onUnmounted(() => observer?.disconnect())
  return width
}
