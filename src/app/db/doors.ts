/**
 * Per-door last-visit summaries, so the grid colours a building's doors by
 * reading one small row per door instead of folding the building's history.
 *
 * Two tables (schema version 2): `doors` holds what the screens read (the last
 * live met visit and the last live attempt per household, indexed by
 * `building`), `doorVisits` the door's own visits, corrections and voids in a
 * few fields each, so a change is re-folded over one door's records only.
 * Amendments whose visit is not on the device yet wait in a `doorVisits` row
 * keyed `target:<visit id>` and join the door when the visit arrives.
 *
 * They are kept by a DBCore middleware on `records`: every write to the
 * records table (save, pull, push stamping a seq, mend, hand over, import,
 * wipe) updates them inside the same IndexedDB transaction, so a summary can
 * never disagree with the records it was made from. The summary is the shared
 * fold itself (foldVisits, then lastVisits) run over the door's entries, and
 * tests/unit/rounds/door-summaries.test.ts checks it against the fold of the
 * whole log in random orders.
 */
import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie'
import { foldVisits, type VisitView } from '@shared/fold'
import { householdRef, isAttemptVisit, isCoveringVisit, lastVisits } from '@shared/rounds'
import type { AnyRecord, Outcome } from '@shared/records'

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

/** A door's entries (`ref` a householdRef), or amendments waiting for their visit (`ref` = `target:<id>`, building ''). */
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

/** What one write to `records` did: the records it removed (old values) and the ones it stored. */
interface Change {
  removed: AnyRecord[]
  added: AnyRecord[]
}

async function oldValues(records: DBCoreTable, trans: DBCoreTransaction, keys: readonly unknown[]): Promise<AnyRecord[]> {
  if (!keys.length) return []
  return ((await records.getMany({ trans, keys: keys as string[] })) as (AnyRecord | undefined)[]).filter((r): r is AnyRecord => r !== undefined)
}

function relevant(rs: readonly AnyRecord[]): AnyRecord[] {
  return rs.filter((r) => DOOR_TYPES.has(r.type))
}

/**
 * Moves entries between door rows for one change, then writes the touched
 * rows and their summaries. Runs inside the write's own transaction.
 */
async function applyChange(core: DBCore, trans: DBCoreTransaction, { removed, added }: Change): Promise<void> {
  if (!removed.length && !added.length) return
  const records = core.table('records')
  const visitTable = core.table('doorVisits')
  const doorTable = core.table('doors')

  // which door each visit belongs to: this change's visits first, then the stored ones amendments name
  const doorOf = new Map<string, { ref: string; building: string; household: string } | null>()
  const place = (r: AnyRecord) => {
    if (r.type === 'visit') doorOf.set(r.id, { ref: householdRef(r.orgPath, r.body.household), building: r.orgPath, household: r.body.household })
    else if (!doorOf.has(r.id)) doorOf.set(r.id, null)
  }
  // the stored record wins over the removed one: a visit mended into another room has moved
  for (const r of removed) place(r)
  const removedDoor = new Map([...removed].filter((r) => r.type === 'visit').map((r) => [r.id, doorOf.get(r.id)!]))
  for (const r of added) place(r)
  const targets = [...new Set([...removed, ...added].filter((r) => r.type !== 'visit').map((r) => doorEntry(r)?.target).filter((t): t is string => t !== undefined))]
  const unknown = targets.filter((t) => !doorOf.has(t))
  for (const r of await oldValues(records, trans, unknown)) place(r)

  const refOf = (r: AnyRecord, old: boolean): DoorVisitsRow | null => {
    if (r.type === 'visit') {
      const d = old ? removedDoor.get(r.id)! : doorOf.get(r.id)!
      return { ...d, entries: [] }
    }
    const target = doorEntry(r)?.target
    if (target === undefined) return null
    const d = doorOf.get(target)
    // null: the target is here and is no visit (a reading session's void)
    if (d === null) return null
    return d ? { ...d, entries: [] } : { ref: WAITING + target, building: '', household: '', entries: [] }
  }

  // amendments waiting for their visit are rare (a visit always reaches the server first): look for them only when there are any
  const anyWaiting = added.some((r) => r.type === 'visit') && (await visitTable.count({ trans, query: { index: visitTable.schema.primaryKey, range: WAITING_RANGE } })) > 0

  const wanted = new Map<string, DoorVisitsRow>()
  const removals: [string, string][] = []
  const additions: [string, DoorEntry][] = []
  for (const r of removed) {
    const row = refOf(r, true)
    if (!row) continue
    wanted.set(row.ref, row)
    removals.push([row.ref, r.id])
  }
  for (const r of added) {
    const row = refOf(r, false)
    const entry = doorEntry(r)
    if (!row || !entry) continue
    wanted.set(row.ref, row)
    additions.push([row.ref, entry])
    // amendments that came before this visit join its door now
    if (r.type === 'visit' && anyWaiting) wanted.set(WAITING + r.id, { ref: WAITING + r.id, building: '', household: '', entries: [] })
  }

  const refs = [...wanted.keys()]
  const stored = (await visitTable.getMany({ trans, keys: refs })) as (DoorVisitsRow | undefined)[]
  const rows = new Map<string, DoorVisitsRow>()
  refs.forEach((ref, i) => {
    const s = stored[i]
    const fresh = wanted.get(ref)!
    rows.set(ref, s ? { ...s, entries: [...s.entries], ...(s.building ? {} : { building: fresh.building, household: fresh.household }) } : fresh)
  })
  for (const [ref, id] of removals) {
    const row = rows.get(ref)!
    row.entries = row.entries.filter((e) => e.id !== id)
  }
  for (const [ref, entry] of additions) {
    const row = rows.get(ref)!
    row.entries = [...row.entries.filter((e) => e.id !== entry.id), entry]
  }
  for (const r of added) {
    if (r.type !== 'visit') continue
    // a visit mended into another room takes its corrections and voids along
    const from = removedDoor.get(r.id)
    const to = doorOf.get(r.id)!
    if (from && from.ref !== to.ref) {
      const old = rows.get(from.ref)!
      const door = rows.get(to.ref)!
      door.entries = [...door.entries, ...old.entries.filter((e) => e.target === r.id)]
      old.entries = old.entries.filter((e) => e.target !== r.id)
    }
    const waiting = rows.get(WAITING + r.id)
    if (!waiting?.entries.length) continue
    const door = rows.get(doorOf.get(r.id)!.ref)!
    const ids = new Set(waiting.entries.map((e) => e.id))
    door.entries = [...door.entries.filter((e) => !ids.has(e.id)), ...waiting.entries]
    waiting.entries = []
  }

  const putRows: DoorVisitsRow[] = []
  const dropRows: string[] = []
  const putDoors: DoorSummary[] = []
  const dropDoors: string[] = []
  for (const row of rows.values()) {
    if (row.entries.length) putRows.push(row)
    else dropRows.push(row.ref)
    if (row.ref.startsWith(WAITING)) continue
    const summary = row.entries.length ? summarise(row) : null
    if (summary) putDoors.push(summary)
    else dropDoors.push(row.ref)
  }
  await Promise.all([
    putRows.length ? visitTable.mutate({ type: 'put', trans, values: putRows }) : null,
    dropRows.length ? visitTable.mutate({ type: 'delete', trans, keys: dropRows }) : null,
    putDoors.length ? doorTable.mutate({ type: 'put', trans, values: putDoors }) : null,
    dropDoors.length ? doorTable.mutate({ type: 'delete', trans, keys: dropDoors }) : null,
  ])
}

function succeeded<T>(items: readonly T[], res: DBCoreMutateResponse): T[] {
  return res.numFailures ? items.filter((_, i) => !res.failures[i]) : [...items]
}

/**
 * Keeps `doors` and `doorVisits` current with every write to `records`: a
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
        const widened = mode === 'readwrite' && stores.includes('records') && !stores.includes('doors') ? [...stores, 'doors', 'doorVisits'] : stores
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
                await Promise.all(['doors', 'doorVisits'].map((t) => down.table(t).mutate({ type: 'deleteRange', trans, range: req.range })))
              } else await applyChange(down, trans, { removed, added: [] })
              return res
            }
            if (req.type === 'delete') {
              const removed = relevant(await oldValues(table, trans, req.keys))
              const res = await table.mutate(req)
              await applyChange(down, trans, { removed, added: [] })
              return res
            }
            const values = req.values as AnyRecord[]
            // a put may replace a record: a refused one mended (no seq: it never entered the server's log) may
            // have moved to another door, so its old entry goes first. A record with a seq is the server's and
            // immutable (a put only stamps or repeats the seq): its door cannot change, and not reading it
            // back keeps a pulled page to its own writes
            const mended = req.type === 'put' ? relevant(values).filter((r) => r.seq === undefined) : []
            // (no await at all when nothing is read: the hooks middleware below finds its transaction in Dexie's zone)
            const before = mended.length ? relevant(await oldValues(table, trans, mended.map((r) => r.id))) : []
            const res = await table.mutate(req)
            const ok = relevant(succeeded(values, res))
            const stored = new Set(ok.map((r) => r.id))
            await applyChange(down, trans, { removed: before.filter((r) => stored.has(r.id)), added: ok })
            return res
          },
        }
      },
    }
  },
}
