/**
 * Places where saved records are at risk before anything goes wrong, told from
 * what the browser says about itself. Pure: everything comes in as arguments.
 */
export type EnvironmentRisk = 'wechat' | 'iosSafari' | 'private'

export interface EnvironmentFacts {
  userAgent: string
  /** navigator.platform and maxTouchPoints: iPads report themselves as Macs */
  platform?: string
  maxTouchPoints?: number
  /** launched from the home screen (display-mode standalone or navigator.standalone) */
  standalone: boolean
  /** navigator.storage.estimate().quota, bytes; undefined when unknown */
  quota?: number
  /** navigator.storage.persist exists */
  canPersist: boolean
  /** IndexedDB could not be opened at all */
  noDatabase?: boolean
}

/**
 * Private windows get a small, memory-backed share (Chrome's incognito quota is
 * about 100 MB or less; a normal profile gets gigabytes). Below this the data is
 * likely gone when the window closes.
 */
export const PRIVATE_QUOTA_BYTES = 120 * 1024 * 1024

export function isWeChat(ua: string): boolean {
  return /MicroMessenger/i.test(ua)
}

export function isIos(f: Pick<EnvironmentFacts, 'userAgent' | 'platform' | 'maxTouchPoints'>): boolean {
  return /iPad|iPhone|iPod/.test(f.userAgent) || (f.platform === 'MacIntel' && (f.maxTouchPoints ?? 0) > 1)
}

export function environmentRisks(f: EnvironmentFacts): EnvironmentRisk[] {
  const risks: EnvironmentRisk[] = []
  const wechat = isWeChat(f.userAgent)
  // WeChat's own browser has no service worker: tell that first, it also covers iOS inside WeChat
  if (wechat) risks.push('wechat')
  const otherIosBrowser = /CriOS|FxiOS|EdgiOS/.test(f.userAgent)
  if (!wechat && !f.standalone && isIos(f) && !otherIosBrowser) risks.push('iosSafari')
  const tinyQuota = f.quota !== undefined && f.quota > 0 && f.quota < PRIVATE_QUOTA_BYTES
  // an iPhone outside the home screen already has its own banner about losing data
  if (!wechat && !risks.includes('iosSafari') && (f.noDatabase || tinyQuota || !f.canPersist)) risks.push('private')
  return risks
}

/** Reads the facts from this browser. */
export async function browserFacts(): Promise<EnvironmentFacts> {
  const nav = globalThis.navigator
  let quota: number | undefined
  try {
    quota = (await nav?.storage?.estimate?.())?.quota
  } catch {
    quota = undefined
  }
  const standalone = globalThis.matchMedia?.('(display-mode: standalone)').matches || (nav as { standalone?: boolean } | undefined)?.standalone === true
  return {
    userAgent: nav?.userAgent ?? '',
    platform: nav?.platform,
    maxTouchPoints: nav?.maxTouchPoints,
    standalone: !!standalone,
    quota,
    canPersist: typeof nav?.storage?.persist === 'function',
    noDatabase: typeof globalThis.indexedDB === 'undefined',
  }
}
