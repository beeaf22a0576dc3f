/**
 * Who has been through (or skipped) the first-login guide on this browser:
 * a JSON list of user ids in localStorage (not personal data: an opaque id).
 * `*` in the list stands for every account (a browser set up for a demo or
 * a test run, where the guide would only be in the way). Storage that is
 * blocked or full: the guide shows again next time, nothing else happens.
 */
const KEY = 'loudong.guide'

function read(): string[] {
  try {
    const list: unknown = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '[]')
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}

/** true when `userId` has finished or skipped the guide on this browser */
export function guideSeen(userId: string): boolean {
  const list = read()
  return list.includes('*') || list.includes(userId)
}

/** Remembers that `userId` finished or skipped the guide (it stays on 我的 to see again). */
export function markGuideSeen(userId: string): void {
  const list = read()
  if (list.includes(userId)) return
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify([...list, userId]))
  } catch {
    // blocked or full: the guide offers itself again next time
  }
}
