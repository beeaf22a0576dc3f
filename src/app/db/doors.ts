/**
 * Per-door last-visit summaries, so the grid colours a building's doors by
 * reading one small row per door instead of folding the building's history.
 *
 * Two tables: `doors` holds what the screens read (the last live met visit and
 * the last live attempt per household, indexed by `building`), `doorEntries`
 * (schema version 3) one small row per visit, correction or void, indexed by
 * its door's `ref`, so a door's history is read by that index and a change is
 * re-folded over one door's records only. Amendments whose visit is not on the
 * device wait under `ref` = `target:<visit id>` and join the door when the
 * visit arrives. (Version 2 kept each door's entries in one `doorVisits` row,
 * rewritten whole on every change: a pulled page of 500 rewrote hundreds of
 * growing lists; `doorRowsFrom` still builds that shape for its upgrade.)
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
 * One visit, correction or void as stored (schema version 3: `doorEntries`,
 * keyed by the record's id, indexed by `ref`): `ref` is its door's
 * householdRef, or `target:<visit id>` for an amendment whose visit is not on
 * the device yet. One small row per record, so a pulled page writes rows of
 * its own records and never rewrites a door's whole list.
 */
export interface DoorEntryRow extends DoorEntry {
  ref: string
}

/** Every door's entry rows from a set of records (the version 3 upgrade, a rebuild). */
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

/** A door's entry rows, read by the `ref` index. */
async function entriesOf(table: DBCoreTable, trans: DBCoreTransaction, ref: string): Promise<DoorEntryRow[]> {
  const index = table.schema.indexes.find((i) => i.name === 'ref')!
  const range = { type: 1 /* DBCoreRangeType.Equal */, lower: ref, upper: ref, lowerOpen: false, upperOpen: false } as const
  return (await table.query({ trans, values: true, query: { index, range } })).result as DoorEntryRow[]
}

/**
 * Writes the entry rows of one change and brings the touched doors' summaries
 * up to date, inside the write's own transaction. The work is proportional to
 * the change: a new visit is one entry row and a comparison with its door's
 * summary (a later visit is the door's new last one; nothing else can change);
 * only a door whose visits are amended, removed or moved is folded again, over
 * its own entries.
 */
async function applyChange(core: DBCore, trans: DBCoreTransaction, { removed, added }: Change): Promise<void> {
  if (!removed.length && !added.length) return
  const records = core.table('records')
  const entryTable = core.table('doorEntries')
  const doorTable = core.table('doors')

  const addedEntries: [AnyRecord, DoorEntry][] = []
  for (const r of added) {
    const e = doorEntry(r)
    if (e) addedEntries.push([r, e])
  }
  const addedVisits = new Map<string, string>()
  for (const [r] of addedEntries) if (r.type === 'visit') addedVisits.set(r.id, householdRef(r.orgPath, r.body.household))
  const targets = addedEntries.map(([, e]) => e.target).filter((t): t is string => t !== undefined && !addedVisits.has(t))
  // the stored rows of every record in the change and of the visits its amendments name
  const keys = [...new Set([...removed.map((r) => r.id), ...addedEntries.map(([r]) => r.id), ...targets])]
  const storedRows = (await entryTable.getMany({ trans, keys })) as (DoorEntryRow | undefined)[]
  const stored = new Map<string, DoorEntryRow>()
  keys.forEach((k, i) => storedRows[i] && stored.set(k, storedRows[i]!))

  /** id → the row to write, or null to delete */
  const rows = new Map<string, DoorEntryRow | null>()
  /** doors folded again over their entries */
  const refold = new Set<string>()
  /** doors that only gained new, unamended visits */
  const merge = new Map<string, DoorEntry[]>()
  const touch = (ref: string | undefined) => ref && !ref.startsWith(WAITING) && refold.add(ref)

  for (const r of removed) {
    const row = stored.get(r.id)
    if (!row) continue
    rows.set(r.id, null)
    touch(row.ref)
  }
  // amendments whose visit is not a door visit here: a record of another kind here (a reading session's void: no door), or none yet (wait)
  const unknown = targets.filter((t) => stored.get(t)?.type !== 'visit')
  const otherKind = new Set((await oldValues(records, trans, [...new Set(unknown)])).filter((r) => r.type !== 'visit').map((r) => r.id))
  const moved: { id: string; from: string; to: string }[] = []
  for (const [r, e] of addedEntries) {
    const before = stored.get(r.id)
    if (r.type === 'visit') {
      const ref = addedVisits.get(r.id)!
      rows.set(r.id, { ...e, ref })
      if (!before) {
        // new here, and nothing here amends it (amendments of an absent visit wait under `target:`, joined below): the door may only gain it
        merge.set(ref, [...(merge.get(ref) ?? []), e])
        continue
      }
      // already here: a seq stamped changes no summary; a mend (another room, outcome or time) folds both doors again
      if (before.ref === ref && before.at === e.at && before.outcome === e.outcome) continue
      touch(before.ref)
      touch(ref)
      if (before.ref !== ref) moved.push({ id: r.id, from: before.ref, to: ref })
      continue
    }
    const target = e.target!
    const targetRow = stored.get(target)
    const ref = addedVisits.get(target) ?? (targetRow?.type === 'visit' ? targetRow.ref : otherKind.has(target) ? null : WAITING + target)
    if (ref === null) {
      // no door: a row left from before goes
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

  // a visit mended into another room takes its corrections and voids along
  for (const { id, from, to } of moved) {
    for (const row of await entriesOf(entryTable, trans, from)) if (row.target === id && !rows.has(row.id)) rows.set(row.id, { ...row, ref: to })
  }
  // a visit that left the device (handed over, purged): its amendments wait for it again, as a rebuild would leave them
  const gone = new Map<string, Set<string>>()
  for (const r of removed) {
    const row = stored.get(r.id)
    if (r.type !== 'visit' || !row || rows.get(r.id) !== null) continue
    gone.set(row.ref, (gone.get(row.ref) ?? new Set()).add(r.id))
  }
  for (const [ref, ids] of gone) {
    for (const row of await entriesOf(entryTable, trans, ref)) if (ids.has(row.target!) && !rows.has(row.id)) rows.set(row.id, { ...row, ref: WAITING + row.target })
  }
  // amendments that came before their visit join its door now (rare: a visit always reaches the server first)
  const arrived = [...addedVisits.keys()].filter((id) => !stored.has(id))
  const refIndex = entryTable.schema.indexes.find((i) => i.name === 'ref')!
  if (arrived.length && (await entryTable.count({ trans, query: { index: refIndex, range: WAITING_RANGE } })) > 0) {
    const waiting = (await entryTable.query({ trans, values: true, query: { index: refIndex, range: WAITING_RANGE } })).result as DoorEntryRow[]
    for (const row of waiting) {
      const ref = addedVisits.get(row.target!)
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
  // doors folded again: their entries as now stored (this transaction's writes included)
  await Promise.all(
    [...refold].map(async (ref) => {
      const entries = await entriesOf(entryTable, trans, ref)
      const summary = entries.length ? summarise({ ref, ...doorOf(ref), entries }) : null
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
