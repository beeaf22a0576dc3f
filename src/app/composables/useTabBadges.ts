import { defineStore, getActivePinia } from 'pinia'
import { computed, shallowRef, type ComputedRef } from 'vue'
import type { TabName } from '@app/router/types'
import { useSyncStore } from '@app/stores/sync'
import { useRoundsStore } from '@app/stores/rounds'
import { useFeedbackStore } from '@app/stores/feedback'
import { useFeedbackNewsStore } from '@app/stores/feedbackNews'
import { useTodayStore } from '@app/stores/today'

interface FeedbackBadges {
  feedback: ReturnType<typeof useFeedbackStore>
  news: ReturnType<typeof useFeedbackNewsStore>
  today: ReturnType<typeof useTodayStore>
}

/** The longest the feedback badges wait for an idle moment after the first screen, ms. */
const BADGES_IDLE_WAIT_MS = 2000

/**
 * Runs once the page is idle after the next frame has painted (or at once where there are no
 * frames: tests, the server): the first screen's own work and paint go first.
 */
function afterPaint(run: () => void): void {
  if (typeof requestAnimationFrame === 'undefined') return run()
  requestAnimationFrame(() => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => run(), { timeout: BADGES_IDLE_WAIT_MS })
    else setTimeout(run, 0)
  })
}

/** The feedback side of the badges, started once per app (the tab bar and the rail share it). */
const useFeedbackBadges = defineStore('tabBadges', () => {
  const side = shallowRef<FeedbackBadges | null>(null)
  // the pinia of the app that asked, so a late start never lands in another one
  const pinia = getActivePinia()
  void useRoundsStore(pinia).whenLoaded().then(() =>
    afterPaint(() => {
      side.value = { feedback: useFeedbackStore(pinia), news: useFeedbackNewsStore(pinia), today: useTodayStore(pinia) }
    }),
  )
  return { side }
})

/**
 * Numbers shown on the tabs. 我的 carries records that need attention, since
 * their fix links live there; 走访 overdue care households; 意见 feedback
 * waiting in my inbox and my items with news; 今日 (leaders) everything to do today.
 *
 * 走访 and 我的 read small summaries (the per-door rows and care flags, the
 * outbox counts). The feedback fold behind 意见 and 今日 is the feedback
 * store's whole log, so it starts only after the rounds summaries are read and
 * the screen has painted: the badges never hold up the first screen.
 */
export function useTabBadges(): ComputedRef<Partial<Record<TabName, number>>> {
  const sync = useSyncStore()
  const rounds = useRoundsStore()
  const badges = useFeedbackBadges()
  return computed(() => {
    const side = badges.side
    const inFeedback = side ? side.feedback.inbox.length + side.news.news.size : 0
    return {
      today: side?.today.offered && side.today.count > 0 ? side.today.count : undefined,
      visits: rounds.overdue > 0 ? rounds.overdue : undefined,
      // 意见: feedback waiting in my inbox (my level, my scopes)
      // and items I raised that came back (有新进展) until I open them
      feedback: inFeedback > 0 ? inFeedback : undefined,
      me: sync.attention > 0 ? sync.attention : undefined,
    }
  })
}
