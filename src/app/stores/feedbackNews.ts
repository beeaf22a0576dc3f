import { defineStore } from 'pinia'
import { liveQuery } from 'dexie'
import { computed, shallowRef } from 'vue'
import { db } from '@app/db/database'
import { newsCount, newsFor } from '@app/components/feedback/news'
import { useFeedbackStore } from '@app/stores/feedback'
import { useSessionStore } from '@app/stores/session'

/**
 * Feedback that came back: items I raised that someone else resolved,
 * escalated or reopened since I last opened them. The seen marks live on the
 * device (`db.meta` key `feedbackSeen`), so the badge survives a restart and
 * goes once I open the item.
 */
export const useFeedbackNewsStore = defineStore('feedbackNews', () => {
  const feedback = useFeedbackStore()
  const session = useSessionStore()
  const seen = shallowRef<Record<string, number>>({})
  liveQuery(() => db.getMeta('feedbackSeen')).subscribe({
    next: (marks) => (seen.value = marks ?? {}),
    error: () => undefined,
  })

  /** feedback id → its count of steps by others, for every item with news */
  const news = computed(() => (session.user ? newsFor(feedback.views.values(), session.user.id, seen.value) : new Map<string, number>()))

  function hasNews(id: string): boolean {
    return news.value.has(id)
  }

  /**
   * Marks an item seen as it stands now. Read and write in one transaction, so
   * two marks from two tabs cannot drop one another. Storage faults are ignored:
   * the worst case is a badge shown once more.
   */
  async function markSeen(id: string): Promise<void> {
    const view = feedback.find(id)
    const me = session.user?.id
    if (!view || !me || view.raisedBy !== me) return
    const count = newsCount(view, me)
    try {
      await db.transaction('rw', db.meta, async () => {
        const marks = (await db.getMeta('feedbackSeen')) ?? {}
        if ((marks[id] ?? 0) >= count) return
        await db.setMeta('feedbackSeen', { ...marks, [id]: count })
      })
    } catch {
      // a full or blocked store: the badge stays, nothing is lost
    }
  }

  return { seen, news, hasNews, markSeen }
})
