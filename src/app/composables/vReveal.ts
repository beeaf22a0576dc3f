import type { Directive } from 'vue'

/**
 * `v-reveal` on a message that appears after a tap (a refusal, an error, a
 * result): once it shows, it is scrolled just into view, so it is where the
 * person is looking and never under the tab bar or the sticky top bar (the
 * scroll margins of [role=alert] and [role=status] in base.css keep it clear
 * of both). Nothing moves when it is already in view. Used as a local import in
 * <script setup> (`import { vReveal } from …`), so tests need no global plugin.
 */
export const vReveal: Directive<HTMLElement> = {
  mounted(el) {
    // after the layout that shows it; jsdom and old browsers may lack scrollIntoView
    const later = globalThis.requestAnimationFrame ?? ((cb: () => void) => setTimeout(cb, 0))
    later(() => el.isConnected && el.scrollIntoView?.({ block: 'nearest', behavior: 'auto' }))
  },
}
