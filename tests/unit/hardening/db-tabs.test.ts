/**
 * Issue 7: another tab upgrading the database must not leave this one stuck. A
 * tab that keeps its connection blocks the upgrade; this one closes and asks
 * for a reload; an upgrade of ours that waits on an old tab says so too.
 */
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { LoudongDB } from '@app/db/database'
import { SCHEMA_VERSIONS } from '@app/db/versions'
import { guardAgainstOtherTabs, onReloadNeeded, resetReloadNeeded, type ReloadReason } from '@app/db/tabs'

afterEach(() => resetReloadNeeded())

/** An IndexedDB version above the app's (Dexie opens version N as N × 10). */
const NEWER = (Math.max(...SCHEMA_VERSIONS.map((v) => v.version)) + 1) * 10

/** What a newer build does: open the same database at a higher IndexedDB version. */
function openNewer(name: string, idbVersion: number): Promise<{ db: IDBDatabase; blocked: boolean }> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, idbVersion)
    let blocked = false
    req.onblocked = () => (blocked = true)
    req.onsuccess = () => resolve({ db: req.result, blocked })
    req.onerror = () => reject(req.error)
  })
}

describe('versionchange from another tab', () => {
  it('closes this tab\'s connection so the upgrade goes through, and asks for a reload', async () => {
    const name = `tabs-${Math.random().toString(36).slice(2)}`
    const db = new LoudongDB(name)
    guardAgainstOtherTabs(db)
    await db.open()
    const heard: ReloadReason[] = []
    const off = onReloadNeeded((r) => heard.push(r))

    const newer = await openNewer(name, NEWER)
    expect(newer.blocked).toBe(false)
    expect(heard).toEqual(['versionchange'])
    expect(db.isOpen()).toBe(false)
    // this old tab does not quietly reopen at its old version: the next write fails instead of hanging
    await expect(db.meta.put({ key: 'cursor', value: 1 })).rejects.toMatchObject({ name: 'DatabaseClosedError' })
    newer.db.close()
    off()
  })

  it('a prompt that mounts later still hears it', async () => {
    const name = `tabs-late-${Math.random().toString(36).slice(2)}`
    const db = new LoudongDB(name)
    guardAgainstOtherTabs(db)
    await db.open()
    ;(await openNewer(name, NEWER)).db.close()
    const heard: ReloadReason[] = []
    onReloadNeeded((r) => heard.push(r))()
    expect(heard).toEqual(['versionchange'])
  })
})

describe('blocked', () => {
  it('our upgrade waiting on an old tab that will not close asks for a reload', async () => {
    const name = `tabs-blocked-${Math.random().toString(36).slice(2)}`
    // an old tab that ignores versionchange (a build from before this guard)
    const old = await new Promise<IDBDatabase>((resolve) => {
      const req = indexedDB.open(name, 5)
      req.onupgradeneeded = () => req.result.createObjectStore('meta', { keyPath: 'key' })
      req.onsuccess = () => resolve(req.result)
    })
    const db = new LoudongDB(name)
    guardAgainstOtherTabs(db)
    const heard: ReloadReason[] = []
    const off = onReloadNeeded((r) => heard.push(r))
    const opening = db.open()
    await expect.poll(() => heard).toEqual(['blocked'])
    old.close()
    await opening
    expect(db.isOpen()).toBe(true)
    off()
  })
})
