import { onMounted, onUnmounted, ref, type Ref } from 'vue'

/**
 * An element's width in px, kept up to date. `null` until the browser first
 * measured it (the first observation comes after layout, before that frame is
 * painted), so a caller can wait and draw once at the right width; 0 where
 * layout is unknown (tests without a browser).
 */
export function useWidth(el: Ref<HTMLElement | null>): Ref<number | null> {
  const observable = typeof ResizeObserver !== 'undefined'
  const width = ref<number | null>(observable ? null : 0)
  let observer: ResizeObserver | undefined
  onMounted(() => {
    if (!el.value || !observable) return
    observer = new ResizeObserver(([entry]) => (width.value = entry?.contentRect.width ?? 0))
    observer.observe(el.value)
  })
  onUnmounted(() => observer?.disconnect())
  return width
}
