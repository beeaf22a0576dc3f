import { computed, type ComputedRef } from 'vue'
import type { TabName } from '@app/router/types'
import { useSyncStore } from '@app/stores/sync'
import { useRoundsStore } from '@app/stores/rounds'
import { useFeedbackStore } from '@app/stores/feedback'

/**
 * Numbers shown on the tabs. 我的 carries records that need attention, since
 * their fix links live there; 走访 overdue care households; 意见 feedback
 * waiting in my inbox.
 */
export function useTabBadges(): ComputedRef<Partial<Record<TabName, number>>> {
  const sync = useSyncStore()
  const rounds = useRoundsStore()
  const feedback = useFeedbackStore()
  return computed(() => ({
    visits: rounds.overdue > 0 ? rounds.overdue : undefined,
    // 意见: feedback waiting in my inbox (my level, my scopes)
    feedback: feedback.inbox.length > 0 ? feedback.inbox.length : undefined,
    me: sync.attention > 0 ? sync.attention : undefined,
  }))
}
