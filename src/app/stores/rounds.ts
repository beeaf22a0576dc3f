import { defineStore } from 'pinia'
import { liveQuery, type Subscription } from 'dexie'
import { computed, ref, shallowRef, watch } from 'vue'
import {
  buildingCoverage,
  buildingsOverview,
  careList,
  checkAmendment,
  checkHouseholdRecord,
  foldCareFlags,
  foldPairings,
  foldServices,
  pairedWith,
  serviceContacts,
  foldHouseholdProfiles,
  foldVisits,
  householdRef,
  isUnderAny,
  normalizePhone,
  searchHouseholds,
  widenRecord,
  type AnyRecord,
  type BodyOf,
  type CareFlagBody,
  type CareKind,
  type Consent,
  type CorrectionBody,
  type FeedbackView,
  type VisitFacts,
  type LocalRecord,
  type OrgNode,
  type RecordIssue,
  type RecordType,
  type VisitBody,
  type VisitView,
} from '@shared/index'
import { db } from '@app/db/database'
import { recordsOfTypes } from '@app/stores/recordsOfTypes'
import { doorRecords, mergeVisits, rebuildDoorsIfOwed, type DoorSummary } from '@app/db/doors'
import { useFeedbackStore } from '@app/stores/feedback'
import { RecordShapeError } from '@app/sync/errors'
import { useOrgStore } from '@app/stores/org'
import { useRecordsStore } from '@app/stores/records'
import { useSessionStore } from '@app/stores/session'

/**
 * The record types this store folds itself (visits: door summaries and door histories;
 * feedback: the feedback store); volunteers' services and pairings restart and name care clocks.
 */
const PROFILE_TYPES = ['care.flag', 'household.profile', 'volunteer.service', 'volunteer.pairing'] as const

/**
 * The door rows of `buildings`, read one key range of the `building` index per
 * scope (the scope and everything under it): a plain range is one getAll, where
 * anyOf walks a cursor row by row, and the live query reads it again after every save.
 */
async function readDoors(scopes: readonly string[], buildings: ReadonlySet<string>): Promise<DoorSummary[]> {
  if (!buildings.size) return []
  const parts = await Promise.all(scopes.map((s) => db.doors.where('building').between(s, `${s}/\uffff`, true, true).toArray()))
  // a scope inside another gives its rows twice
  const seen = new Set<string>()
  return parts.flat().filter((d) => buildings.has(d.building) && !seen.has(d.ref) && !!seen.add(d.ref))
}

const sameVisit = (a: DoorSummary['met'], b: DoorSummary['met']) => a?.id === b?.id && a?.at === b?.at

/** The rows hold exactly the summaries shown (a save shows its door before the live query reads it back). */
function sameDoors(shown: ReadonlyMap<string, DoorSummary>, rows: readonly DoorSummary[]): boolean {
  if (shown.size !== rows.length) return false
  return rows.every((d) => {
    const s = shown.get(d.ref)
    return !!s && s.building === d.building && s.household === d.household && sameVisit(s.met, d.met) && sameVisit(s.attempt, d.attempt)
  })
}

/**
 * A door's summary as the two visits coverage and the care list look at. An
 * attempt is given as 无人在家: any outcome but 见到住户 counts the same there.
 */
function doorFacts(summaries: Iterable<DoorSummary>): VisitFacts[] {
  const out: VisitFacts[] = []
  for (const d of summaries) {
    const base = { orgPath: d.building, household: d.household, voided: false }
    if (d.met) out.push({ ...base, id: d.met.id, visitedAt: d.met.at, outcome: 'met' })
    if (d.attempt) out.push({ ...base, id: d.attempt.id, visitedAt: d.attempt.at, outcome: 'nobody_home' })
  }
  return out
}

export const DEFAULT_CARE_INTERVAL = 7
/** How often "now" moves on by itself, so a care household turns overdue while the app stays open. */
const CLOCK_TICK_MS = 30_000

/** What the last save from the grid did, for the 已保存 bar (it outlives the sheet and the form). */
export interface SavedNote {
  visitId: string
  building: string
  household: string
  outcome: VisitBody['outcome']
}

/** The fields a correction of a visit may change. */
export type VisitFields = Extract<CorrectionBody, { targetType: 'visit' }>['fields']

function refuse(issue: RecordIssue | null): void {
  if (issue) throw new RecordShapeError(issue.code, issue.path)
}

/** Only the fields that differ from the visit as it stands now: a correction records what changed, nothing else. */
export function changedFields(current: Pick<VisitView, 'outcome' | 'purposes' | 'note' | 'visitedAt'>, next: Required<VisitFields>): VisitFields {
  const out: VisitFields = {}
  if (next.outcome !== current.outcome) out.outcome = next.outcome
  if ([...next.purposes].sort().join() !== [...current.purposes].sort().join()) out.purposes = [...next.purposes]
  if (next.note !== current.note) out.note = next.note
  if (Date.parse(next.visitedAt) !== Date.parse(current.visitedAt)) out.visitedAt = next.visitedAt
  return out
}

/** Visits of one household, voided ones included (their history still shows), newest visit first. */
export function householdHistory(visits: Iterable<VisitView>, building: string, household: string): VisitView[] {
  return [...visits]
    .filter((v) => v.orgPath === building && v.household === household)
    .sort((a, b) => Date.parse(b.visitedAt) - Date.parse(a.visitedAt) || (a.id < b.id ? 1 : -1))
}

/**
 * Door-to-door rounds as the screens see them. Doors are coloured from the
 * per-door summaries (db/doors.ts: one small row per door, read by building),
 * never by folding a building's history; a door's full history is read only
 * when a screen shows it. Care flags and profiles are folded from their own
 * few records, feedback comes from the feedback store (the one fold of it).
 * Every save is checked on the device first (place, room, time, length) so a
 * refusal comes at once, in words, with nothing typed lost.
 */
export const useRoundsStore = defineStore('rounds', () => {
  const org = useOrgStore()
  const session = useSessionStore()
  const records = useRecordsStore()
  // the feedback fold (every feedback record here) starts only when a screen asks for a household's feedback,
  // not with the grid: the doors must not wait for it (the app has one pinia, the one this store is in)

  /** door summaries of my buildings, by householdRef */
  const doors = shallowRef<Map<string, DoorSummary>>(new Map())
  /** care flags and household profiles on this device, synced or not */
  const log = shallowRef<AnyRecord[]>([])
  /** the clock the derived lists use; moves every half minute and on each save */
  const now = ref(Date.now())
  /** the last visit saved from the grid or the form */
  const lastSaved = ref<SavedNote | null>(null)

  let doorsRead = false
  /** true once the door summaries were first read: a grid drawn before would be drawn again in its colours */
  const doorsReady = ref(false)
  let logRead = false
  let markLoaded: () => void = () => undefined
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve))
  const settle = () => doorsRead && logRead && markLoaded()
  let logStarted = false
  /** Care flags, profiles, services and pairings: read once the doors are (the grid's colours first, its markers a moment after). */
  function startLog(): void {
    if (logStarted) return
    logStarted = true
    liveQuery(() => recordsOfTypes(PROFILE_TYPES)).subscribe({
      next: (rows) => {
        log.value = rows
        logRead = true
        settle()
      },
      error: () => undefined,
    })
  }

  /** the buildings whose doors the screens colour: every building in my scopes (the `building` index of `doors`) */
  const doorBuildings = computed(() => org.under(session.user?.scopes ?? [], 'building').map((b) => b.path).sort().join('\n'))
  let doorSub: Subscription | null = null
  // a first download cut short (the app killed) owes the doors their summaries: built here, offline
  // too, beside the first read; the live query below shows them when they land
  void rebuildDoorsIfOwed(db).catch(() => undefined)
  watch(
    doorBuildings,
    (joined) => {
      doorSub?.unsubscribe()
      const paths = joined ? joined.split('\n') : []
      const scopes = [...(session.user?.scopes ?? [])]
      doorSub = liveQuery(() => readDoors(scopes, new Set(paths))).subscribe({
        next: (rows) => {
          // after a save the screen already shows what the database now holds: nothing to fold again
          if (!sameDoors(doors.value, rows)) doors.value = new Map(rows.map((d) => [d.ref, d]))
          doorsRead = true
          doorsReady.value = true
          settle()
          startLog()
        },
        error: () => {
          // the grid is drawn uncoloured rather than not at all
          doorsReady.value = true
          startLog()
        },
      })
    },
    { immediate: true },
  )

  /** Resolves once the device's door summaries and care records have been read. */
  function whenLoaded(): Promise<void> {
    return loaded
  }
  setInterval(() => (now.value = Date.now()), CLOCK_TICK_MS)
  globalThis.document?.addEventListener('visibilitychange', () => (now.value = Date.now()))

  /** each door's last met visit and last attempt, the only visits coverage and the care list look at */
  const lastVisitFacts = computed(() => doorFacts(doors.value.values()))
  const flags = computed(() => foldCareFlags(log.value))
  const profiles = computed(() => foldHouseholdProfiles(log.value))
  const feedback = computed(() => useFeedbackStore().views)
  /** volunteers' services to households count as met contacts for the care clock (serviceContacts) */
  const careVisits = computed<VisitFacts[]>(() => [...lastVisitFacts.value, ...serviceContacts(foldServices(log.value))])
  /** `building:household` → names of the volunteers paired with it */
  const paired = computed(() => pairedWith(foldPairings(log.value)))

  /** door histories being shown, by householdRef: every visit of the door, voided ones included, newest first */
  const histories = shallowRef<Map<string, VisitView[]>>(new Map())
  const watchedDoors = new Map<string, Promise<void>>()

  /** Reads one door's visits with their corrections and voids (db/doors.ts doorRecords) and folds them. */
  async function readHistory(building: string, household: string): Promise<VisitView[]> {
    const rows = await doorRecords(db, building, household)
    if (!rows.length) return []
    return householdHistory(foldVisits(rows).values(), building, household)
  }

  /** Starts keeping one door's history current (once per door); resolves when it was first read. */
  function watchDoor(building: string, household: string): Promise<void> {
    const ref = householdRef(building, household)
    let first = watchedDoors.get(ref)
    if (first) return first
    first = new Promise<void>((resolve) => {
      liveQuery(() => readHistory(building, household)).subscribe({
        next: (list) => {
          histories.value = new Map(histories.value).set(ref, list)
          resolve()
        },
        error: () => resolve(),
      })
    })
    watchedDoors.set(ref, first)
    return first
  }

  /**
   * Shows a door's summary and history again at once after a save, before the live queries answer.
   * A new visit is merged into the summary shown, as the database's own summary took it (no read:
   * the door recolours as soon as the save is stored); an amendment reads the door's summary back.
   */
  async function refreshDoor(building: string, household: string, visit?: LocalRecord<'visit'>): Promise<void> {
    const ref = householdRef(building, household)
    if (visit) {
      // set before any read: the door recolours in the next frame while its history is read
      const shown = doors.value.get(ref)
      doors.value = new Map(doors.value).set(ref, mergeVisits(shown ?? { ref, building, household }, [{ id: visit.id, at: visit.body.visitedAt, outcome: visit.body.outcome }]))
      if (!watchedDoors.has(ref)) return
    }
    const [summary, history] = await Promise.all([visit ? null : db.doors.get(ref), watchedDoors.has(ref) ? readHistory(building, household) : null])
    if (!visit) {
      const next = new Map(doors.value)
      if (summary) next.set(ref, summary)
      else next.delete(ref)
      doors.value = next
    }
    if (history) histories.value = new Map(histories.value).set(ref, history)
  }

  /** buildings with a layout in the signed-in person's scopes */
  const buildings = computed<OrgNode[]>(() => org.under(session.user?.scopes ?? [], 'building').filter((b) => b.layout))
  /** a building leader's home is their grid; everyone above sees the buildings overview */
  const leadsBuildings = computed(() => {
    const scopes = session.user?.scopes ?? []
    return scopes.length > 0 && scopes.every((s) => org.nodes.get(s)?.kind === 'building')
  })

  const careItems = computed(() => {
    const mine = new Set(buildings.value.map((b) => b.path))
    return careList([...flags.value.values()].filter((f) => mine.has(f.building)), careVisits.value, now.value)
  })
  const overdue = computed(() => careItems.value.filter((i) => i.overdue).length)
  const overview = computed(() => buildingsOverview(buildings.value, lastVisitFacts.value, flags.value, now.value, careVisits.value))

  /** the same facts by building: one building's coverage looks at its own doors, not every door in my scopes */
  const factsByBuilding = computed(() => {
    const out = new Map<string, VisitFacts[]>()
    for (const f of lastVisitFacts.value) {
      const list = out.get(f.orgPath)
      if (list) list.push(f)
      else out.set(f.orgPath, [f])
    }
    return out
  })

  function coverageOf(building: string) {
    const layout = org.nodes.get(building)?.layout
    return layout ? buildingCoverage(factsByBuilding.value.get(building) ?? [], layout, building, now.value) : null
  }

  /** A door's visits, voided ones included, newest first; empty until first read (the screen updates when it is). */
  function historyOf(building: string, household: string): VisitView[] {
    void watchDoor(building, household)
    return histories.value.get(householdRef(building, household)) ?? []
  }

  /** Resolves to a door's history once read, for code that needs it before going on. */
  async function whenHistoryOf(building: string, household: string): Promise<VisitView[]> {
    await watchDoor(building, household)
    return historyOf(building, household)
  }

  /** A visit as corrected so far (voided ones too), or undefined when it is not on this device. */
  async function visitView(id: string): Promise<VisitView | undefined> {
    const record = await db.records.get(id)
    if (record?.type !== 'visit') return undefined
    return (await readHistory(record.orgPath, record.body.household)).find((v) => v.id === id)
  }

  function profileOf(building: string, household: string) {
    return profiles.value.get(householdRef(building, household))
  }

  function flagOf(building: string, household: string) {
    const f = flags.value.get(householdRef(building, household))
    return f?.active ? f : undefined
  }

  function pairedOf(building: string, household: string): string[] {
    return paired.value.get(householdRef(building, household)) ?? []
  }

  function careItemOf(building: string, household: string) {
    return careItems.value.find((i) => i.building === building && i.household === household)
  }

  function openFeedbackOf(building: string, household: string): FeedbackView[] {
    return [...feedback.value.values()]
      .filter((f) => f.orgPath === building && f.household === household && f.status === 'open')
      .sort((a, b) => Date.parse(b.raisedAt) - Date.parse(a.raisedAt))
  }

  function search(query: string) {
    return searchHouseholds(query, buildings.value, profiles.value)
  }

  /** The building is mine and the room is in it: the same rule the server applies. */
  function checkPlace(building: string, household: string): RecordIssue | null {
    if (!isUnderAny(building, session.user?.scopes ?? [])) return { code: 'out_of_scope', path: 'orgPath' }
    return checkHouseholdRecord({ orgPath: building, body: { household } }, org.nodes.get(building))
  }

  /**
   * `opts.id`: the id a form made when it opened, so a second tap saves the same record.
   * `shown`: runs as soon as a visit is stored, beside the door's new colour (one render for both).
   */
  async function save<T extends RecordType>(type: T, orgPath: string, body: BodyOf<T>, opts: { id?: string } = {}, shown?: (record: LocalRecord<T>) => void): Promise<LocalRecord<T>> {
    const record = await records.save(type, orgPath, body, opts)
    // shown at once: the grid must not wait for the live query to change a door's colour
    const wide = widenRecord(record)
    if (wide.type === 'visit') {
      now.value = Date.now()
      shown?.(record)
      await refreshDoor(wide.orgPath, wide.body.household, record as LocalRecord<'visit'>)
      return record
    }
    const door = await doorOfRecord(wide)
    if (door) await refreshDoor(door.building, door.household)
    else if (PROFILE_TYPES.includes(type as (typeof PROFILE_TYPES)[number]) && !log.value.some((r) => r.id === record.id)) log.value = [...log.value, widenRecord(record)]
    now.value = Date.now()
    shown?.(record)
    return record
  }

  // Place, room, time, authorship and target are the shared rule table's, run by records.save
  // before anything is written; the store only adds what the table cannot know.
  async function logVisit(building: string, body: VisitBody, opts: { id?: string } = {}): Promise<LocalRecord<'visit'>> {
    return save('visit', building, body, opts, (record) => {
      lastSaved.value = { visitId: record.id, building, household: body.household, outcome: body.outcome }
    })
  }

  function targetOf(id: string): Promise<AnyRecord | undefined> {
    return db.records.get(id)
  }

  /** The door a visit, or a correction or void of one, belongs to. */
  async function doorOfRecord(r: AnyRecord): Promise<{ building: string; household: string } | null> {
    if (r.type === 'visit') return { building: r.orgPath, household: r.body.household }
    if (r.type !== 'correction' && r.type !== 'void') return null
    const target = await targetOf(r.body.target)
    return target?.type === 'visit' ? { building: target.orgPath, household: target.body.household } : null
  }

  /** Saves a `correction` holding only what changed; a change of nothing is refused (`required`). */
  async function correctVisit(id: string, fields: VisitFields, reason?: string): Promise<LocalRecord<'correction'>> {
    const target = await targetOf(id)
    const body: CorrectionBody = { target: id, targetType: 'visit', fields, ...(reason?.trim() ? { reason: reason.trim() } : {}) }
    const orgPath = target?.orgPath ?? ''
    refuse(checkAmendment({ type: 'correction', orgPath, body }, target))
    if (Object.keys(fields).length === 0) refuse({ code: 'required', path: 'body.fields' })
    return save('correction', orgPath, body)
  }

  async function voidVisit(id: string, reason: string): Promise<LocalRecord<'void'>> {
    const target = await targetOf(id)
    const body = { target: id, reason: reason.trim() }
    const orgPath = target?.orgPath ?? ''
    refuse(checkAmendment({ type: 'void', orgPath, body }, target))
    const record = await save('void', orgPath, body)
    if (lastSaved.value?.visitId === id) lastSaved.value = null
    return record
  }

  /**
   * Puts a household on the care list (or changes or ends its flag). A sensitive kind
   * needs `consent` (rule `consent_required`); `consentWithdrawn` records the resident
   * withdrawing it, with a kind that is not sensitive.
   */
  async function setCare(
    building: string,
    household: string,
    care: { kind: CareKind; intervalDays: number; active: boolean; note?: string; consent?: Consent; consentWithdrawn?: true },
    opts: { id?: string } = {},
  ) {
    const note = care.note?.trim()
    const body: CareFlagBody = {
      household, kind: care.kind, intervalDays: care.intervalDays, active: care.active, ...(note ? { note } : {}),
      ...(care.consent ? { consent: care.consent } : {}), ...(care.consentWithdrawn ? { consentWithdrawn: true } : {}),
    }
    return save('care.flag', building, body, opts)
  }

  async function saveProfile(building: string, household: string, profile: { displayName: string; phone?: string }, opts: { id?: string } = {}) {
    const phone = profile.phone === undefined ? undefined : normalizePhone(profile.phone)
    return save('household.profile', building, { household, displayName: profile.displayName.trim(), ...(phone ? { phone } : {}) }, opts)
  }

  return {
    log, doors, doorsReady, now, lastSaved, whenLoaded, flags, profiles, feedback, buildings, leadsBuildings, careItems, overdue, overview, paired,
    coverageOf, historyOf, whenHistoryOf, visitView, profileOf, flagOf, careItemOf, pairedOf, openFeedbackOf, search, checkPlace,
    logVisit, correctVisit, voidVisit, setCare, saveProfile,
  }
})
