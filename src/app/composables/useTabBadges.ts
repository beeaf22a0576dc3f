import { computed, type ComputedRef } from 'vue'
import type { TabName } from '@app/router/types'
import { useSyncStore } from '@app/stores/sync'
import { useRoundsStore } from '@app/stores/rounds'

/**
 * Numbers shown on the tabs. 我的 carries records that need attention, since
 * their fix links live there. Overdue care households (走访) and feedback
 * waiting for me (意见) join here when those features land.
 */
export function useTabBadges(): ComputedRef<Partial<Record<TabName, number>>> {
  const sync = useSyncStore()
  const rounds = useRoundsStore()
  return computed(() => ({
    visits: rounds.overdue > 0 ? rounds.overdue : undefined,
    me: sync.attention > 0 ? sync.attention : undefined,
  }))
}
