/**
 * Another tab (or a newly deployed version in one) wants to upgrade the
 * database. The browser waits for every open connection to close first; a tab
 * that kept its connection would hold the upgrade forever, and after the
 * upgrade an old tab can no longer read or write. So: close at once and ask the
 * person to reload (never reload by ourselves: a form may be half filled).
 */
import type Dexie from 'dexie'

/** versionchange: this tab closed its connection for another's upgrade; blocked: our upgrade waits for an old tab. */
export type ReloadReason = 'versionchange' | 'blocked'

type Listener = (reason: ReloadReason) => void
const listeners = new Set<Listener>()
let pending: ReloadReason | null = null

/** The reason a reload is needed, once one is; late subscribers (the prompt mounts after boot) still hear it. */
export function onReloadNeeded(listener: Listener): () => void {
  listeners.add(listener)
  if (pending) listener(pending)
  return () => listeners.delete(listener)
}

function announce(reason: ReloadReason): void {
  pending = reason
  for (const l of listeners) l(reason)
}

/** Wires both events on a database; returns the unwire (tests). */
export function guardAgainstOtherTabs(db: Dexie): () => void {
  // also for a deleteDatabase (newVersion null): same answer, let it through
  const onVersionChange = (): boolean => {
    db.close()
    announce('versionchange')
    // false stops Dexie's own handler, which would close too but quietly reopen on the next call
    return false
  }
  const onBlocked = (): void => announce('blocked')
  db.on('versionchange', onVersionChange)
  db.on('blocked', onBlocked)
  return () => {
    db.on('versionchange').unsubscribe(onVersionChange)
    db.on('blocked').unsubscribe(onBlocked)
  }
}

/** For tests: forget an announced reason. */
export function resetReloadNeeded(): void {
  pending = null
}
