import { defineStore } from 'pinia'
import { liveQuery } from 'dexie'
import { computed, ref, shallowRef } from 'vue'
import {
  buildingCoverage,
  buildingsOverview,
  careList,
  checkAmendment,
  checkHouseholdRecord,
  foldCareFlags,
  foldFeedback,
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
  type LocalRecord,
  type OrgNode,
  type RecordIssue,
  type RecordType,
  type VisitBody,
  type VisitView,
} from '@shared/index'
import { db } from '@app/db/database'
import { RecordShapeError } from '@app/sync/errors'
import { useOrgStore } from '@app/stores/org'
import { useRecordsStore } from '@app/stores/records'
import { useSessionStore } from '@app/stores/session'

/** Every record type the rounds screens fold. */
export const ROUND_TYPES = ['visit', 'correction', 'void', 'care.flag', 'household.profile', 'feedback', 'feedback.event', 'volunteer.service', 'volunteer.pairing'] as const

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
 * Door-to-door rounds as the screens see them: visits, care flags, profiles
 * and feedback folded from the device's log, plus the saves that add to it.
 * Every save is checked on the device first (place, room, time, length) so a
 * refusal comes at once, in words, with nothing typed lost.
 */
export const useRoundsStore = defineStore('rounds', () => {
  const org = useOrgStore()
  const session = useSessionStore()
  const records = useRecordsStore()

  /** the rounds records on this device, synced or not */
  const log = shallowRef<AnyRecord[]>([])
  /** the clock the derived lists use; moves every half minute and on each save */
  const now = ref(Date.now())
  /** the last visit saved from the grid or the form */
  const lastSaved = ref<SavedNote | null>(null)

  let markLoaded: () => void = () => undefined
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve))
  liveQuery(() => db.records.where('type').anyOf([...ROUND_TYPES]).toArray()).subscribe({
    next: (rows) => {
      log.value = rows
      markLoaded()
    },
    error: () => undefined,
  })

  /** Resolves once the device's records have been read, for screens that open on one record. */
  function whenLoaded(): Promise<void> {
    return loaded
  }
  setInterval(() => (now.value = Date.now()), CLOCK_TICK_MS)
  globalThis.document?.addEventListener('visibilitychange', () => (now.value = Date.now()))

  const visits = computed(() => foldVisits(log.value))
  const flags = computed(() => foldCareFlags(log.value))
  const profiles = computed(() => foldHouseholdProfiles(log.value))
  const feedback = computed(() => foldFeedback(log.value))
  /** volunteers' services to households count as met contacts for the care clock (serviceContacts) */
  const careVisits = computed<VisitView[]>(() => [...visits.value.values(), ...serviceContacts(foldServices(log.value))])
  /** `building:household` → names of the volunteers paired with it */
  const paired = computed(() => pairedWith(foldPairings(log.value)))

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
  const overview = computed(() => buildingsOverview(buildings.value, visits.value, flags.value, now.value, careVisits.value))

  function coverageOf(building: string) {
    const layout = org.nodes.get(building)?.layout
    return layout ? buildingCoverage(visits.value, layout, building, now.value) : null
  }

  function historyOf(building: string, household: string): VisitView[] {
    return householdHistory(visits.value.values(), building, household)
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

  /** `opts.id`: the id a form made when it opened, so a second tap saves the same record. */
  async function save<T extends RecordType>(type: T, orgPath: string, body: BodyOf<T>, opts: { id?: string } = {}): Promise<LocalRecord<T>> {
    const record = await records.save(type, orgPath, body, opts)
    // shown at once: the grid must not wait for the live query to change a door's colour
    if (!log.value.some((r) => r.id === record.id)) log.value = [...log.value, widenRecord(record)]
    now.value = Date.now()
    return record
  }

  // Place, room, time, authorship and target are the shared rule table's, run by records.save
  // before anything is written; the store only adds what the table cannot know.
  async function logVisit(building: string, body: VisitBody, opts: { id?: string } = {}): Promise<LocalRecord<'visit'>> {
    const record = await save('visit', building, body, opts)
    lastSaved.value = { visitId: record.id, building, household: body.household, outcome: body.outcome }
    return record
  }

  function targetOf(id: string): AnyRecord | undefined {
    return log.value.find((r) => r.id === id)
  }

  /** Saves a `correction` holding only what changed; a change of nothing is refused (`required`). */
  async function correctVisit(id: string, fields: VisitFields, reason?: string): Promise<LocalRecord<'correction'>> {
    const target = targetOf(id)
    const body: CorrectionBody = { target: id, targetType: 'visit', fields, ...(reason?.trim() ? { reason: reason.trim() } : {}) }
    const orgPath = target?.orgPath ?? ''
    refuse(checkAmendment({ type: 'correction', orgPath, body }, target))
    if (Object.keys(fields).length === 0) refuse({ code: 'required', path: 'body.fields' })
    return save('correction', orgPath, body)
  }

  async function voidVisit(id: string, reason: string): Promise<LocalRecord<'void'>> {
    const target = targetOf(id)
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
    log, now, lastSaved, whenLoaded, visits, flags, profiles, feedback, buildings, leadsBuildings, careItems, overdue, overview, paired,
    coverageOf, historyOf, profileOf, flagOf, careItemOf, pairedOf, openFeedbackOf, search, checkPlace,
    logVisit, correctVisit, voidVisit, setCare, saveProfile,
  }
})
