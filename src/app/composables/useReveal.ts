import { nextTick, onMounted, type Ref } from 'vue'

/**
 * A form that opens in place (escalate, resolve, note, reopen, the care form)
 * may open below the screen's edge, where a tap seems to have done nothing.
 * On mount it scrolls into view and its first field takes focus (no second
 * scroll: the field is already in view), so the keyboard and a screen reader
 * both land on it.
 */
export function useReveal(el: Ref<HTMLElement | null>): void {
  onMounted(async () => {
    await nextTick()
    const box = el.value
    if (!box) return
    // jsdom and old browsers may lack it: focus alone still brings the field into view
    box.scrollIntoView?.({ block: 'center', behavior: 'auto' })
    box.querySelector<HTMLElement>('textarea, input:not([type="hidden"]), [role="radio"], button')?.focus({ preventScroll: true })
  })
}
