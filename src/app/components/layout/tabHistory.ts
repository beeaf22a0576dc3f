import { reactive } from 'vue'
import type { RouteLocationNormalized } from 'vue-router'
import type { TabName } from '@app/router/types'
import { LAYER_KEY } from '@app/composables/useBackCloses'

/** Where each tab was left, so switching tabs comes back to the same screen (a tab keeps its own history). */
const lastIn = reactive<Partial<Record<TabName, string>>>({})

/** Called after every navigation; an open sheet's marker is not remembered (the sheet is not). */
export function rememberTabScreen(route: RouteLocationNormalized): void {
  const tab = route.meta.tab
  if (!tab) return
  const { [LAYER_KEY]: _layer, ...query } = route.query
  const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : []))).toString()
  lastIn[tab] = search ? `${route.path}?${search}` : route.path
}

/**
 * Where a tap on `tab` goes: from another tab, back to where this tab was
 * left; on the tab itself, to its first screen (a second tap is "home").
 */
export function tabTarget(tab: { name: TabName; to: string }, current: TabName | undefined): string {
  if (current === tab.name) return tab.to
  return lastIn[tab.name] ?? tab.to
}

/** Forgets every tab's place (logout, another person). */
export function forgetTabScreens(): void {
  for (const k of Object.keys(lastIn) as TabName[]) delete lastIn[k]
}
