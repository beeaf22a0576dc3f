/**
 * Per-door last-visit summaries, so the grid colours a building's doors by
 * reading one small row per door instead of folding the building's history.
 *
 * `doors` holds what the screens read (the last live met visit and the last
 * live attempt per household, indexed by `building`). A door's history is its
 * visits, read from `records` by the `[orgPath+body.household]` index (schema
 * version 4), and the corrections and voids of them: one small `doorEntries`
 * row per amendment, indexed by its door's `ref`, since an amendment names
 * only its visit. Amendments whose visit is not on the device wait under
 * `ref` = `target:<visit id>` and join the door when the visit arrives; a
 * change is re-folded over one door's records only. (Version 2 kept each
 * door's entries in one `doorVisits` row, version 3 one `doorEntries` row per
 * visit too: a pulled page and a push's acknowledgement wrote a row per
 * visit; `doorRowsFrom` still builds version 2's shape for its upgrade.)
 *
 * They are kept by a DBCore middleware on `records`: every write to the
 * records table (save, pull, push stamping a seq, mend, hand over, import,
 * wipe) updates them inside the same IndexedDB transaction, so a summary can
 * never disagree with the records it was made from. A writer that knows what
 * it writes says so first (`claimRecords`): records known to be new here need
 * no read of what was there, a seq stamped on records already here changes no
 * visit's door, and a first download into an empty device defers the
 * summaries to one rebuild at its end (`rebuildDoors`, marked by the meta row
 * `doorsStale` until done). The summary is the shared fold itself
 * (foldVisits, then lastVisits) run over the door's records, and
 * tests/unit/rounds/door-summaries.test.ts checks it against the fold of the
 * whole log in random orders.
 */
import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse, DBCoreTable, DBCoreTransaction, Middleware, Transaction } from 'dexie'
import { foldVisits, type VisitView } from '@shared/fold'
import { householdRef, isAttemptVisit, isCoveringVisit, lastVisits } from '@shared/rounds'
import type { AnyRecord, Outcome } from '@shared/records'
import type { LoudongDB } from './database'

/** The visit a door's colour stands on: its id and `visitedAt` (ISO, as recorded or corrected). */
export interface DoorVisitRef {
  id: string
  at: string
}

/** One door as the grid needs it. `ref` is householdRef(building, household). */
export interface DoorSummary {
  ref: string
  building: string
  household: string
  /** the latest live visit that met the resident (见到住户) */
  met?: DoorVisitRef
  /** the latest live visit that did not (无人在家, 拒绝) */
  attempt?: DoorVisitRef
}

/** A visit, correction or void of one door, in the fields the summary depends on. */
export interface DoorEntry {
  id: string
  seq?: number
  type: 'visit' | 'correction' | 'void'
  /** visit: visitedAt; correction: the corrected visitedAt, when it changes it */
  at?: string
  /** visit: the outcome; correction: the corrected outcome, when it changes it */
  outcome?: Outcome
  /** correction and void: the visit they amend */
  target?: string
}

/** A door's entries (`ref` a householdRef), or amendments waiting for their visit (`ref` = `target:<id>`, building ''): version 2's `doorVisits` row, and the shape a rebuild groups entries in. */
export interface DoorVisitsRow {
  ref: string
  building: string
  household: string
  entries: DoorEntry[]
}

const DOOR_TYPES = new Set(['visit', 'correction', 'void'])
const WAITING = 'target:'
/** every `target:` key (DBCoreRangeType.Range = 2) */
const WAITING_RANGE = { type: 2, lower: WAITING, upper: `${WAITING}\uffff`, lowerOpen: false, upperOpen: false } as const

/** The entry a record adds to its door, or null when it cannot change a door's colour. */
export function doorEntry(r: AnyRecord): DoorEntry | null {
  const seq = r.seq !== undefined ? { seq: r.seq } : {}
  if (r.type === 'visit') return { id: r.id, ...seq, type: 'visit', at: r.body.visitedAt, outcome: r.body.outcome }
  if (r.type === 'void') return { id: r.id, ...seq, type: 'void', target: r.body.target }
  if (r.type === 'correction') {
    if (r.body.targetType !== 'visit') return null
    // kept even when it changes neither: the door's history (its records by these ids) shows every correction
    const f = r.body.fields
    return { id: r.id, ...seq, type: 'correction', target: r.body.target, ...(f.visitedAt !== undefined ? { at: f.visitedAt } : {}), ...(f.outcome !== undefined ? { outcome: f.outcome } : {}) }
  }
  return null
}

/** The entries back as records, carrying only what the fold of visits reads. */
function asRecords(building: string, household: string, entries: readonly DoorEntry[]): AnyRecord[] {
  return entries.map((e) => {
    const common = { id: e.id, ...(e.seq !== undefined ? { seq: e.seq } : {}), v: 1, orgPath: building, authorId: '', deviceId: '', clientTime: '' }
    if (e.type === 'visit') return { ...common, type: 'visit', body: { household, outcome: e.outcome!, purposes: [], note: '', visitedAt: e.at! } }
    if (e.type === 'void') return { ...common, type: 'void', body: { target: e.target!, reason: '' } }
    const fields = { ...(e.at !== undefined ? { visitedAt: e.at } : {}), ...(e.outcome !== undefined ? { outcome: e.outcome } : {}) }
    return { ...common, type: 'correction', body: { target: e.target!, targetType: 'visit', fields } }
    // the fold reads only the fields filled in above; the rest of a record is never looked at
  }) as unknown as AnyRecord[]
}

/** A door's summary: the shared fold of its entries; null when no live visit is left. */
export function summarise(row: Pick<DoorVisitsRow, 'ref' | 'building' | 'household' | 'entries'>): DoorSummary | null {
  const visits = foldVisits(asRecords(row.building, row.household, row.entries))
  const ref = (v: VisitView | undefined): DoorVisitRef | undefined => (v ? { id: v.id, at: v.visitedAt } : undefined)
  const met = ref(lastVisits(visits, isCoveringVisit).get(row.ref))
  const attempt = ref(lastVisits(visits, isAttemptVisit).get(row.ref))
  if (!met && !attempt) return null
  return { ref: row.ref, building: row.building, household: row.household, ...(met ? { met } : {}), ...(attempt ? { attempt } : {}) }
}

/**
 * Every door's rows from a set of records (the version 2 upgrade, a rebuild).
 * Amendments of visits not among them wait under `target:<id>`.
 */
export function doorRowsFrom(records: Iterable<AnyRecord>): { doors: DoorSummary[]; doorVisits: DoorVisitsRow[] } {
  const rows = new Map<string, DoorVisitsRow>()
  const doorOf = new Map<string, string>()
  const amendments: { entry: DoorEntry; building: string }[] = []
  for (const r of records) {
    const entry = doorEntry(r)
    if (!entry) continue
    if (r.type !== 'visit') {
      amendments.push({ entry, building: r.orgPath })
      continue
    }
    const ref = householdRef(r.orgPath, r.body.household)
    doorOf.set(r.id, ref)
    const row = rows.get(ref) ?? { ref, building: r.orgPath, household: r.body.household, entries: [] }
    row.entries.push(entry)
    rows.set(ref, row)
  }
  for (const { entry } of amendments) {
    const ref = doorOf.get(entry.target!) ?? WAITING + entry.target!
    const row = rows.get(ref) ?? { ref, building: '', household: '', entries: [] }
    row.entries.push(entry)
    rows.set(ref, row)
  }
  const doors: DoorSummary[] = []
  for (const row of rows.values()) {
    if (row.ref.startsWith(WAITING)) continue
    const s = summarise(row)
    if (s) doors.push(s)
  }
  return { doors, doorVisits: [...rows.values()] }
}

// ---------------------------------------------------------------- the middleware

/**
 * One correction or void of a visit as stored (`doorEntries`, keyed by the
 * record's id, indexed by `ref`): `ref` is its visit's door (householdRef), or
 * `target:<visit id>` while that visit is not on the device. Visits have no
 * row: a door's visits are its records under `[orgPath+body.household]`.
 */
export interface DoorEntryRow extends DoorEntry {
  ref: string
}

/** The records index a door's visits are read by (schema version 4). */
export const DOOR_VISITS_INDEX = '[orgPath+body.household]'

/** Every door's summary and amendment rows from a set of records (the version 4 upgrade, `rebuildDoors`). */
export function doorTablesFrom(records: Iterable<AnyRecord>): { doors: DoorSummary[]; doorEntries: DoorEntryRow[] } {
  const { doors, doorVisits } = doorRowsFrom(records)
  return { doors, doorEntries: doorVisits.flatMap((row) => row.entries.filter((e) => e.type !== 'visit').map((e) => ({ ...e, ref: row.ref }))) }
}

/** Version 3's rows: one per visit, correction or void (its upgrade only; version 4 keeps amendments alone). */
export function doorEntriesFrom(records: Iterable<AnyRecord>): { doors: DoorSummary[]; doorEntries: DoorEntryRow[] } {
  const { doors, doorVisits } = doorRowsFrom(records)
  return { doors, doorEntries: doorVisits.flatMap((row) => row.entries.map((e) => ({ ...e, ref: row.ref }))) }
}

/** The building and household of a door's householdRef (`building path:household key`; a key holds no colon). */
function doorOf(ref: string): { building: string; household: string } {
  const at = ref.lastIndexOf(':')
  return { building: ref.slice(0, at), household: ref.slice(at + 1) }
}

/** true when visit `a` is later than `b` as lastVisits orders them: by visitedAt, then by id. */
function later(a: DoorVisitRef, b: DoorVisitRef | undefined): boolean {
  if (!b) return true
  const t = Date.parse(a.at)
  const p = Date.parse(b.at)
  return t > p || (t === p && a.id > b.id)
}

/**
 * A door's summary with new visits taken in: each is the door's last of its
 * kind (met, or an attempt) when it is later than the one there. Exact for
 * visits nothing here amends yet (the middleware's and the grid's case after a
 * save); the summary is returned as is when no visit changes it.
 */
export function mergeVisits(door: DoorSummary, visits: readonly Pick<DoorEntry, 'id' | 'at' | 'outcome'>[]): DoorSummary {
  let out = door
  for (const e of visits) {
    const visit = { id: e.id, at: e.at! }
    const kind = e.outcome === 'met' ? 'met' : 'attempt'
    if (later(visit, out[kind])) out = { ...out, [kind]: visit }
  }
  return out
}

/**
 * What a writer knows about records it is about to write to `records` in the
 * current transaction, by id:
 * - `fresh`: none of them is on the device (a pulled page's records found absent);
 * - `stamped`: each is already here and only its `seq`/`serverTime` change
 *   (a push's acknowledgement, a restored server's new numbers);
 * - `deferred`: new here, and the caller rebuilds every summary once it is
 *   done (`rebuildDoors`), having set the meta row `doorsStale` in the same
 *   transaction, so an interruption leaves the rebuild owed, never skipped.
 */
export type RecordClaim = 'fresh' | 'stamped' | 'deferred'

/** claims per IndexedDB transaction, each used up by the first write of its record */
const claims = new WeakMap<object, Map<string, RecordClaim>>()

/**
 * Tells the summaries what the next writes of `ids` in transaction `tx` (the
 * one a `db.transaction` callback is given) are (see RecordClaim), so they
 * need not read the records' earlier values. Call right before the write. A
 * claim is used up by the first write of its id; a false claim makes wrong
 * summaries, so claim only what the caller has just read or made. Throws when
 * `tx` is not active.
 */
export function claimRecords(tx: Transaction, claim: RecordClaim, ids: Iterable<string>): void {
  const trans = tx.active ? (tx.idbtrans as object | null) : null
  if (!trans) throw new Error('claimRecords outside an active transaction')
  const mine = claims.get(trans) ?? new Map<string, RecordClaim>()
  for (const id of ids) mine.set(id, claim)
  claims.set(trans, mine)
}

async function oldValues(records: DBCoreTable, trans: DBCoreTransaction, keys: readonly unknown[]): Promise<AnyRecord[]> {
  if (!keys.length) return []
  return ((await records.getMany({ trans, keys: keys as string[] })) as (AnyRecord | undefined)[]).filter((r): r is AnyRecord => r !== undefined)
}

function relevant(rs: readonly AnyRecord[]): AnyRecord[] {
  return rs.filter((r) => DOOR_TYPES.has(r.type))
}

/** A door's amendment rows, read by the `ref` index. */
async function entriesOf(table: DBCoreTable, trans: DBCoreTransaction, ref: string): Promise<DoorEntryRow[]> {
  const index = table.schema.indexes.find((i) => i.name === 'ref')!
  const range = { type: 1 /* DBCoreRangeType.Equal */, lower: ref, upper: ref, lowerOpen: false, upperOpen: false } as const
  return (await table.query({ trans, values: true, query: { index, range } })).result as DoorEntryRow[]
}

/** A door's visits as stored now, read by the records index. */
async function visitsOf(table: DBCoreTable, trans: DBCoreTransaction, ref: string): Promise<AnyRecord[]> {
  const index = table.schema.indexes.find((i) => i.name === DOOR_VISITS_INDEX)!
  const { building, household } = doorOf(ref)
  const key = [building, household]
  const range = { type: 1 /* DBCoreRangeType.Equal */, lower: key, upper: key, lowerOpen: false, upperOpen: false } as const
  return ((await table.query({ trans, values: true, query: { index, range } })).result as AnyRecord[]).filter((r) => r.type === 'visit')
}

const visitRef = (r: AnyRecord & { type: 'visit' }) => householdRef(r.orgPath, r.body.household)

/** One record of a write: what was stored under its id before (when known to matter) and after. */
interface Step {
  before?: AnyRecord
  after?: AnyRecord
}

/**
 * Brings the amendment rows and the summaries of the doors a write touched up
 * to date, inside the write's own transaction. The work is proportional to
 * the change: a new visit is a comparison with its door's summary (a later
 * visit is the door's new last one; nothing else can change); only a door
 * whose visits are amended, removed or moved is folded again, over its own
 * records.
 */
async function applyChange(core: DBCore, trans: DBCoreTransaction, steps: readonly Step[]): Promise<void> {
  if (!steps.length) return
  const records = core.table('records')
  const entryTable = core.table('doorEntries')
  const doorTable = core.table('doors')

  /** id → the amendment row to write, or null to delete */
  const rows = new Map<string, DoorEntryRow | null>()
  /** doors folded again over their records */
  const refold = new Set<string>()
  /** doors that only gained new, unamended visits */
  const merge = new Map<string, DoorEntry[]>()
  const touch = (ref: string | undefined) => ref && !ref.startsWith(WAITING) && refold.add(ref)
  /** visits written now → their door */
  const visitDoor = new Map<string, string>()
  const moved: { id: string; from: string; to: string }[] = []
  /** visits that left the device, by their door */
  const gone = new Map<string, Set<string>>()
  const arrived: string[] = []
  const amended: [AnyRecord, DoorEntry][] = []
  const amendmentsGone: string[] = []

  for (const { before, after } of steps) {
    if (after?.type === 'visit') {
      const ref = visitRef(after)
      visitDoor.set(after.id, ref)
      if (before?.type === 'visit') {
        // a seq stamped or a note changed: no door field moved, no summary changes
        const from = visitRef(before)
        if (from === ref && before.body.visitedAt === after.body.visitedAt && before.body.outcome === after.body.outcome) continue
        // a mend (another room, outcome or time) folds both doors again
        touch(from)
        touch(ref)
        if (from !== ref) moved.push({ id: after.id, from, to: ref })
        continue
      }
      if (before) amendmentsGone.push(before.id)
      // new here, and nothing here amends it (amendments of an absent visit wait under `target:`, joined below): the door may only gain it
      merge.set(ref, [...(merge.get(ref) ?? []), doorEntry(after)!])
      arrived.push(after.id)
      continue
    }
    if (before?.type === 'visit') {
      const from = visitRef(before)
      touch(from)
      gone.set(from, (gone.get(from) ?? new Set()).add(before.id))
    } else if (before && !after) amendmentsGone.push(before.id)
    const entry = after && doorEntry(after)
    if (after && entry) amended.push([after, entry])
    else if (after && before && before.type !== 'visit') amendmentsGone.push(before.id)
  }

  if (amended.length || amendmentsGone.length) {
    const ids = [...new Set([...amendmentsGone, ...amended.map(([r]) => r.id)])]
    const targets = [...new Set(amended.map(([, e]) => e.target!).filter((t) => !visitDoor.has(t)))]
    const [storedRows, targetRecords] = await Promise.all([
      entryTable.getMany({ trans, keys: ids }) as Promise<(DoorEntryRow | undefined)[]>,
      oldValues(records, trans, targets),
    ])
    const stored = new Map<string, DoorEntryRow>()
    ids.forEach((k, i) => storedRows[i] && stored.set(k, storedRows[i]!))
    const targetOf = new Map(targetRecords.map((r) => [r.id, r]))
    for (const id of amendmentsGone) {
      const row = stored.get(id)
      if (!row) continue
      rows.set(id, null)
      touch(row.ref)
    }
    for (const [r, e] of amended) {
      const before = stored.get(r.id)
      const target = targetOf.get(e.target!)
      // no door when the target is a record of another kind (a reading session's void); none yet: it waits
      const ref = visitDoor.get(e.target!) ?? (target?.type === 'visit' ? visitRef(target) : target ? null : WAITING + e.target!)
      if (ref === null) {
        if (before) {
          rows.set(r.id, null)
          touch(before.ref)
        }
        continue
      }
      rows.set(r.id, { ...e, ref })
      touch(ref)
      if (before && before.ref !== ref) touch(before.ref)
    }
  }

  // a visit mended into another room takes its corrections and voids along
  for (const { id, from, to } of moved) {
    for (const row of await entriesOf(entryTable, trans, from)) if (row.target === id && !rows.has(row.id)) rows.set(row.id, { ...row, ref: to })
  }
  // a visit that left the device (handed over, purged): its amendments wait for it again, as a rebuild would leave them
  for (const [ref, ids] of gone) {
    for (const row of await entriesOf(entryTable, trans, ref)) if (ids.has(row.target!) && !rows.has(row.id)) rows.set(row.id, { ...row, ref: WAITING + row.target })
  }
  // amendments that came before their visit join its door now (rare: a visit always reaches the server first)
  const refIndex = entryTable.schema.indexes.find((i) => i.name === 'ref')!
  if (arrived.length && (await entryTable.count({ trans, query: { index: refIndex, range: WAITING_RANGE } })) > 0) {
    const waiting = (await entryTable.query({ trans, values: true, query: { index: refIndex, range: WAITING_RANGE } })).result as DoorEntryRow[]
    for (const row of waiting) {
      const ref = visitDoor.get(row.target!)
      if (ref === undefined || rows.has(row.id)) continue
      rows.set(row.id, { ...row, ref })
      touch(ref)
    }
  }

  const puts: DoorEntryRow[] = []
  const drops: string[] = []
  for (const [id, row] of rows) {
    if (row) puts.push(row)
    else drops.push(id)
  }
  await Promise.all([
    drops.length ? entryTable.mutate({ type: 'delete', trans, keys: drops }) : null,
    puts.length ? entryTable.mutate({ type: 'put', trans, values: puts }) : null,
  ])

  const putDoors: DoorSummary[] = []
  const dropDoors: string[] = []
  // doors folded again: their visits and amendments as now stored (this transaction's writes included)
  await Promise.all(
    [...refold].map(async (ref) => {
      const [visits, amendments] = await Promise.all([visitsOf(records, trans, ref), entriesOf(entryTable, trans, ref)])
      const entries = [...visits.map((v) => doorEntry(v)!), ...amendments]
      const summary = visits.length ? summarise({ ref, ...doorOf(ref), entries }) : null
      if (summary) putDoors.push(summary)
      else dropDoors.push(ref)
    }),
  )
  // doors that only gained visits: the later of the summary and each new visit, by kind
  const merging = [...merge.keys()].filter((ref) => !refold.has(ref))
  if (merging.length) {
    const current = (await doorTable.getMany({ trans, keys: merging })) as (DoorSummary | undefined)[]
    merging.forEach((ref, i) => {
      const was = current[i] ?? { ref, ...doorOf(ref) }
      const door = mergeVisits(was, merge.get(ref)!)
      if (door !== current[i]) putDoors.push(door)
    })
  }
  await Promise.all([
    putDoors.length ? doorTable.mutate({ type: 'put', trans, values: putDoors }) : null,
    dropDoors.length ? doorTable.mutate({ type: 'delete', trans, keys: dropDoors }) : null,
  ])
}

function succeeded<T>(items: readonly T[], res: DBCoreMutateResponse): T[] {
  return res.numFailures ? items.filter((_, i) => !res.failures[i]) : [...items]
}

/**
 * Keeps `doors` and `doorEntries` current with every write to `records`: a
 * read-write transaction on `records` also takes both tables, and each
 * mutation is followed, in the same transaction, by the door rows it changes.
 */
export const doorsMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'DoorSummaries',
  create(down) {
    return {
      ...down,
      transaction(stores, mode, options) {
        const widened = mode === 'readwrite' && stores.includes('records') && !stores.includes('doors') ? [...stores, 'doors', 'doorEntries'] : stores
        return down.transaction(widened, mode, options)
      },
      table(name) {
        const table = down.table(name)
        if (name !== 'records') return table
        return {
          ...table,
          async mutate(req: DBCoreMutateRequest): Promise<DBCoreMutateResponse> {
            const { trans } = req
            if (req.type === 'deleteRange') {
              const whole = req.range.type === 3 /* DBCoreRangeType.Any: clear() */
              const removed = whole ? [] : relevant(((await table.query({ trans, values: true, query: { index: table.schema.primaryKey, range: req.range } })).result) as AnyRecord[])
              const res = await table.mutate(req)
              if (whole) {
                await Promise.all(['doors', 'doorEntries'].map((t) => down.table(t).mutate({ type: 'deleteRange', trans, range: req.range })))
              } else await applyChange(down, trans, removed.map((before) => ({ before })))
              return res
            }
            if (req.type === 'delete') {
              const removed = relevant(await oldValues(table, trans, req.keys))
              const res = await table.mutate(req)
              await applyChange(down, trans, removed.map((before) => ({ before })))
              return res
            }
            const values = req.values as AnyRecord[]
            const claimed = claims.get(trans as object)
            const claimOf = new Map<string, RecordClaim>()
            if (claimed) {
              for (const r of values) {
                const c = claimed.get(r.id)
                if (c === undefined) continue
                claimOf.set(r.id, c)
                claimed.delete(r.id)
              }
            }
            // a put may replace a record (a refused one mended, a seq learned, a body redacted): what it was
            // decides what its door loses, unless the writer claimed it. An add never replaces one.
            const unclaimed = req.type === 'put' ? relevant(values).filter((r) => !claimOf.has(r.id)).map((r) => r.id) : []
            // (no await at all when nothing is read: the hooks middleware below finds its transaction in Dexie's zone)
            const before = unclaimed.length ? new Map((await oldValues(table, trans, unclaimed)).map((r) => [r.id, r])) : null
            const res = await table.mutate(req)
            const steps: Step[] = []
            for (const after of succeeded(values, res)) {
              const claim = claimOf.get(after.id)
              const was = before?.get(after.id)
              if (claim === 'deferred' || (claim === 'stamped' && after.type === 'visit')) continue
              // a stamped amendment: its row learns the seq, its door is folded again (the seq orders amendments)
              if (DOOR_TYPES.has(after.type) || (was && DOOR_TYPES.has(was.type))) steps.push({ ...(was ? { before: was } : {}), after })
            }
            await applyChange(down, trans, steps)
            return res
          },
        }
      },
    }
  },
}

/**
 * Builds every door's summary and amendment rows again from the records, in
 * one transaction, and clears `doorsStale`: the end of a first download that
 * deferred them (pull.ts), or one owed by a download that was interrupted.
 * Errors: those of the IndexedDB transaction (a full disk: nothing changes).
 */
export async function rebuildDoors(db: LoudongDB): Promise<void> {
  await db.transaction('rw', [db.records, db.doors, db.doorEntries, db.meta], async () => {
    // getAll per type: one request each, rather than a cursor step per record
    const parts = await Promise.all(['visit', 'correction', 'void'].map((type) => db.records.where('type').equals(type).toArray()))
    const { doors, doorEntries } = doorTablesFrom(parts.flat())
    await Promise.all([db.doors.clear(), db.doorEntries.clear()])
    await Promise.all([db.doors.bulkPut(doors), db.doorEntries.bulkPut(doorEntries)])
    await db.meta.delete('doorsStale')
  })
}

/**
 * Rebuilds the summaries when a first download left them owed (`doorsStale`:
 * the app was closed or killed before the download's end); otherwise reads one
 * meta row and does nothing. Called by a pull before it starts and by the
 * rounds screen when it opens, so a phone that lost a download and then went
 * offline still colours its doors. Resolves to whether it rebuilt.
 * Errors: those of rebuildDoors (the mark then stays, still owed).
 */
export async function rebuildDoorsIfOwed(db: LoudongDB): Promise<boolean> {
  if (!(await db.getMeta('doorsStale'))) return false
  await rebuildDoors(db)
  return true
}

/**
 * One door's records as the history fold needs them: its visits (by the
 * records index) and their corrections and voids (by their `doorEntries`
 * rows). Read-only; call inside or outside a transaction (a liveQuery).
 */
export async function doorRecords(db: LoudongDB, building: string, household: string): Promise<AnyRecord[]> {
  const [visits, ids] = await Promise.all([
    db.records.where(DOOR_VISITS_INDEX).equals([building, household]).filter((r) => r.type === 'visit').toArray(),
    db.doorEntries.where('ref').equals(householdRef(building, household)).primaryKeys(),
  ])
  if (!ids.length) return visits
  const amendments = (await db.records.bulkGet(ids)).filter((r): r is AnyRecord => r !== undefined)
  return [...visits, ...amendments]
}
