import { defineStore } from 'pinia'
import { computed } from 'vue'
import { callbackToday, careToday, inboxToday, newsToday, todayList, type TodayItem } from '@app/components/today/items'
import { householdPath } from '@app/components/rounds/words'
import { useFeedbackStore } from '@app/stores/feedback'
import { useFeedbackNewsStore } from '@app/stores/feedbackNews'
import { useRoundsStore } from '@app/stores/rounds'
import { useSessionStore } from '@app/stores/session'

/**
 * 今日: what a building or resident group leader has to do today, from the
 * stores that already fold the log. The tab badge is `count`: every line but
 * news, which the 意见 tab already counts.
 */
export const useTodayStore = defineStore('today', () => {
  const rounds = useRoundsStore()
  const feedback = useFeedbackStore()
  const news = useFeedbackNewsStore()
  const session = useSessionStore()

  /** only leaders have a day's round; staff work from their inbox */
  const offered = computed(() => session.user?.role === 'building_leader' || session.user?.role === 'group_leader')

  const sections = computed(() => {
    const withNews = [...news.news.keys()].map((id) => feedback.find(id)).filter((v) => v !== undefined)
    // resolved items are never in the inbox; mine and following do not overlap
    const callback = callbackToday([...feedback.mine, ...feedback.following], feedback.actor, rounds.now)
    return todayList([careToday(rounds.careItems, householdPath), inboxToday(feedback.inbox, rounds.now), callback, newsToday(withNews)])
  })
  const count = computed(() => {
    let n = 0
    for (const [section, items] of sections.value) if (section !== 'news') n += items.length
    return n
  })
  const all = computed<TodayItem[]>(() => [...sections.value.values()].flat())

  return { offered, sections, count, all }
})
