import 'vue-router'

/** Which bottom tab / rail item a screen belongs to. */
export type TabName = 'today' | 'visits' | 'feedback' | 'reading' | 'volunteers' | 'me'

declare module 'vue-router' {
  interface RouteMeta {
    /** highlights this tab; screens without one show no tab bar */
    tab?: TabName
    /** reachable without logging in */
    public?: boolean
    /** i18n key of the top bar title; defaults to the tab's name */
    title?: string
  }
}

export {}
