import type { TabName } from '@app/router/types'

export interface TabDef {
  name: TabName
  to: string
  /** i18n key of the label */
  label: string
}

/** The four top-level screens, in the order of the tab bar and the rail. */
export const TABS: readonly TabDef[] = [
  { name: 'visits', to: '/visits', label: 'shell.tabs.visits' },
  { name: 'feedback', to: '/feedback', label: 'shell.tabs.feedback' },
  { name: 'reading', to: '/reading', label: 'shell.tabs.reading' },
  { name: 'me', to: '/me', label: 'shell.tabs.me' },
]
