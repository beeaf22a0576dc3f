import type { TabName } from '@app/router/types'

export interface TabDef {
  name: TabName
  to: string
  /** i18n key of the label */
  label: string
  /** shown to building and resident group leaders only: staff have no round to plan */
  leadersOnly?: boolean
  /** shown to volunteer accounts, who see only this and 我的 */
  volunteers?: boolean
}

/** The top-level screens (今日 for leaders, then the four of every role), in the order of the tab bar and the rail. */
export const TABS: readonly TabDef[] = [
  { name: 'today', to: '/today', label: 'shell.tabs.today', leadersOnly: true },
  { name: 'visits', to: '/visits', label: 'shell.tabs.visits' },
  { name: 'feedback', to: '/feedback', label: 'shell.tabs.feedback' },
  { name: 'reading', to: '/reading', label: 'shell.tabs.reading' },
  { name: 'volunteers', to: '/volunteers', label: 'shell.tabs.volunteers', volunteers: true },
  { name: 'me', to: '/me', label: 'shell.tabs.me' },
]

/** A volunteer account's tabs: its page (pairings, services, the wall) and 我的. */
export const VOLUNTEER_TABS: readonly TabName[] = ['volunteers', 'me']

/** The tabs this person sees: `isLeader` for building and resident group leaders. */
export function tabsFor(isLeader: boolean, isVolunteer = false): readonly TabDef[] {
  if (isVolunteer) return TABS.filter((tab) => VOLUNTEER_TABS.includes(tab.name))
  return TABS.filter((tab) => (!tab.leadersOnly || isLeader) && !tab.volunteers)
}
