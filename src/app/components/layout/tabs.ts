import type { TabName } from '@app/router/types'

export interface TabDef {
  name: TabName
  to: string
  /** i18n key of the label */
  label: string
  /** shown to building and resident group leaders only: staff have no round to plan */
  leadersOnly?: boolean
}

/** The top-level screens (今日 for leaders, then the four of every role), in the order of the tab bar and the rail. */
export const TABS: readonly TabDef[] = [
  { name: 'today', to: '/today', label: 'shell.tabs.today', leadersOnly: true },
  { name: 'visits', to: '/visits', label: 'shell.tabs.visits' },
  { name: 'feedback', to: '/feedback', label: 'shell.tabs.feedback' },
  { name: 'reading', to: '/reading', label: 'shell.tabs.reading' },
  { name: 'me', to: '/me', label: 'shell.tabs.me' },
]

/** The tabs this person sees: `isLeader` for building and resident group leaders. */
export function tabsFor(isLeader: boolean): readonly TabDef[] {
  return TABS.filter((tab) => !tab.leadersOnly || isLeader)
}
