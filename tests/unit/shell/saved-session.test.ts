/**
 * Issue 17: the start tells "logged in" from "not" with plain IndexedDB, so the
 * login page never loads Dexie. It must find a session Dexie saved, say no for
 * a device without one, and never create the database itself (Dexie creates it
 * later with every table).
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { LoudongDB } from '@app/db/database'
import { hasSavedSession } from '@app/db/savedSession'

const session = { token: 'tok', user: { id: 'u1', name: '王秀英', phone: '13800000001', role: 'building_leader' as const, scopes: ['pl/x/y/g01/b01'] } }

describe('hasSavedSession', () => {
  it('finds the session Dexie saved, and says no once it is gone', async () => {
    const name = `saved-${Math.random().toString(36).slice(2)}`
    const db = new LoudongDB(name)
    await db.setMeta('deviceId', 'dev-1')
    expect(await hasSavedSession(indexedDB, name)).toBe(false)
    await db.setMeta('session', session)
    expect(await hasSavedSession(indexedDB, name)).toBe(true)
    await db.meta.delete('session')
    expect(await hasSavedSession(indexedDB, name)).toBe(false)
    db.close()
  })

  it('on a device that never ran the app: false, and no database is left behind for Dexie to trip on', async () => {
    const name = `fresh-${Math.random().toString(36).slice(2)}`
    expect(await hasSavedSession(indexedDB, name)).toBe(false)
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name)
    // Dexie then creates it as usual, every table there
    const db = new LoudongDB(name)
    await db.open()
    expect(db.tables.map((t) => t.name).sort()).toEqual(['doorEntries', 'doors', 'drafts', 'meta', 'org', 'outbox', 'records'])
    db.close()
  })

  it('without IndexedDB at all (some private modes): false', async () => {
    expect(await hasSavedSession(undefined)).toBe(false)
  })
})
