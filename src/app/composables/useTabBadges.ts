import { computed, type ComputedRef } from 'vue'
import type { TabName } from '@app/router/types'
import { useSyncStore } from '@app/stores/sync'
import { useRoundsStore } from '@app/stores/rounds'
import { useFeedbackStore } from '@app/stores/feedback'
import { useFeedbackNewsStore } from '@app/stores/feedbackNews'
import { useTodayStore } from '@app/stores/today'

/**
 * Numbers shown on the tabs. 我的 carries records that need attention, since
 * their fix links live there; 走访 overdue care households; 意见 feedback
 * waiting in my inbox and my items with news; 今日 (leaders) everything to do today.
 */
export function useTabBadges(): ComputedRef<Partial<Record<TabName, number>>> {
  const sync = useSyncStore()
  const rounds = useRoundsStore()
  const feedback = useFeedbackStore()
  const news = useFeedbackNewsStore()
  const today = useTodayStore()
  return computed(() => ({
    today: today.offered && today.count > 0 ? today.count : undefined,
    visits: rounds.overdue > 0 ? rounds.overdue : undefined,
    // 意见: feedback waiting in my inbox (my level, my scopes)
    // and items I raised that came back (有新进展) until I open them
    feedback: feedback.inbox.length + news.news.size > 0 ? feedback.inbox.length + news.news.size : undefined,
    me: sync.attention > 0 ? sync.attention : undefined,
  }))
}
