/** Banners a person closed stay closed on this device (localStorage: not personal data, survives logout). */
export const DISMISSED_KEY = 'loudong.dismissedBanners'

export function readDismissed(): string[] {
  try {
    const raw = globalThis.localStorage?.getItem(DISMISSED_KEY)
    const list: unknown = raw ? JSON.parse(raw) : []
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}

export function rememberDismissed(id: string): void {
  try {
    const list = readDismissed()
    if (!list.includes(id)) globalThis.localStorage?.setItem(DISMISSED_KEY, JSON.stringify([...list, id]))
  } catch {
    // storage blocked: the banner stays closed for this visit only
  }
}
