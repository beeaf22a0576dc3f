/**
 * Issue 7: upgrading the device database from any schema version ever shipped
 * keeps every outbox row and record. Each shipped version is frozen here as it
 * was released (not imported from the app, so editing a shipped entry in
 * src/app/db/versions.ts is caught). A new version adds one line to SHIPPED.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import Dexie from 'dexie'
import { LoudongDB } from '@app/db/database'
import { SCHEMA_VERSIONS } from '@app/db/versions'
import { doorRecords } from '@app/db/doors'

const V1 = { records: 'id, seq, type, orgPath, [type+orgPath]', outbox: 'id, state, queuedAt', meta: 'key', org: 'path, kind', drafts: 'key' }
const V2 = { records: 'id, seq, type, orgPath', doors: 'ref, building', doorVisits: 'ref' }
const V3 = { doorVisits: null, doorEntries: 'id, ref' }
const V4 = { records: 'id, seq, type, orgPath, [orgPath+body.household]' }

/** version → the store definitions that release declared. Add one line per shipped version. */
const SHIPPED: Record<number, Record<string, string | null>> = {
  1: V1,
  2: V2,
  3: V3,
  4: V4,
}

const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
const at = (n: number) => new Date(Date.UTC(2024, 4, 1, 8, n)).toISOString()

/** Rows in every table, in the shape each one had when that version shipped. */
function rowsFor(): Record<string, object[]> {
  const visit = (id: string, n: number, seq?: number) => ({
    id, type: 'visit', v: 1, orgPath: B01, authorId: 'u1', deviceId: 'dev-1', clientTime: at(n),
    body: { household: '1-2-1', outcome: 'met', purposes: ['care'], note: `第${n}次 · 独居老人 🙂`, visitedAt: at(n) },
    ...(seq ? { seq, serverTime: at(n + 1) } : {}),
  })
  return {
    records: [visit('0190b3f0-0000-7000-8000-000000000001', 1, 11), visit('0190b3f0-0000-7000-8000-000000000002', 2), visit('0190b3f0-0000-7000-8000-000000000003', 3)],
    outbox: [
      { id: '0190b3f0-0000-7000-8000-000000000002', state: 'pending', queuedAt: 2, attempts: 0 },
      { id: '0190b3f0-0000-7000-8000-000000000003', state: 'attention', queuedAt: 3, attempts: 2, code: 'bad_value', reason: '户号不存在', path: 'body.household' },
    ],
    meta: [
      { key: 'session', value: { token: 'tok', user: { id: 'u1', name: '王秀英', phone: '13800000001', role: 'building_leader', scopes: [B01] } } },
      { key: 'deviceId', value: 'dev-1' },
      { key: 'cursor', value: 11 },
    ],
    org: [{ path: B01, kind: 'building', name: '1栋', layout: { units: 2, floors: 6, roomsPerFloor: 2 } }],
    drafts: [{ key: 'visit:new', value: { note: '还没写完' }, updatedAt: 5 }],
  }
}

async function dump(db: Dexie): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const table of db.tables) out[table.name] = await table.toArray()
  return out
}

describe('device database migrations', () => {
  it('the app still declares every shipped version exactly as it shipped', () => {
    for (const [version, stores] of Object.entries(SHIPPED)) expect(SCHEMA_VERSIONS.find((v) => v.version === Number(version))?.stores, `v${version}`).toEqual(stores)
  })

  for (const version of Object.keys(SHIPPED)) {
    it(`from version ${version}: every outbox row, record, meta row, org node and draft survives opening with the current LoudongDB`, async () => {
      const name = `migrate-from-${version}-${Math.random().toString(36).slice(2)}`
      const old = new Dexie(name)
      // a version's line declares only what it changed: the stores in force are every line up to it
      for (const [v, declared] of Object.entries(SHIPPED)) if (Number(v) <= Number(version)) old.version(Number(v)).stores(declared)
      const rows = rowsFor()
      await old.transaction('rw', old.tables, async () => {
        for (const table of old.tables) await table.bulkAdd(rows[table.name] ?? [])
      })
      const before = await dump(old)
      old.close()

      const current = new LoudongDB(name)
      await current.open()
      expect(current.verno).toBe(Math.max(...SCHEMA_VERSIONS.map((v) => v.version)))
      const after = await dump(current)
      for (const table of Object.keys(before)) if (!table.startsWith('door')) expect(after[table], table).toEqual(before[table])
      expect(await current.outbox.where('state').equals('pending').count()).toBe(1)
      expect(await current.records.where('orgPath').equals(B01).count()).toBe(3)
      if (Number(version) < 4) {
        // versions 2–4 built the door's summary from the visits already here: the latest met one; version 4
        // reads a door's visits by the records index and keeps rows for amendments alone (none here)
        expect(await current.doors.where('building').equals(B01).toArray()).toEqual([
          { ref: `${B01}:1-2-1`, building: B01, household: '1-2-1', met: { id: '0190b3f0-0000-7000-8000-000000000003', at: at(3) } },
        ])
        expect(await current.doorEntries.count()).toBe(0)
        expect((await doorRecords(current, B01, '1-2-1')).map((r) => r.id).sort()).toEqual((rowsFor().records as { id: string }[]).map((r) => r.id).sort())
      }
      current.close()
    })
  }
})
