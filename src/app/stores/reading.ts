import { defineStore } from 'pinia'
import { liveQuery } from 'dexie'
import { computed, shallowRef, watch } from 'vue'
import {
  HEADCOUNT_MAX,
  checkSessionCorrection,
  draftToBody,
  foldHouseholdProfiles,
  foldReadingSessions,
  householdInLayout,
  isReadingPointPath,
  isTicked,
  liveSessions,
  message,
  newSessionDraft,
  readingCatchment,
  readingSummary,
  setHeadCount,
  tickHousehold,
  toggleMaterial,
  isTooFarInFuture,
  type AnyRecord,
  type CorrectionBody,
  type MessageCode,
  type NamedHousehold,
  type OrgNode,
  type ReadingSessionView,
  type SessionDraft,
} from '@shared/index'
import { recordsOfTypes } from '@app/stores/recordsOfTypes'
import { RUNNING_KEY } from '@app/db/draftKeys'
import { locale, t } from '@app/i18n'
import { storageFaultText } from '@app/db/faults'
import { RecordShapeError } from '@app/sync/errors'
import { fieldText } from '@app/components/sync/words'
import { useOrgStore } from '@app/stores/org'
import { useFeedbackStore } from '@app/stores/feedback'
import { useRecordsStore } from '@app/stores/records'
import { useSessionStore } from '@app/stores/session'

/** One session runs at a time on a device; its key lives in db/ so the session store can see it too. */
export { RUNNING_KEY }

/** Why an action was refused, in words for the person; the running draft is always kept as it was. */
export interface Refusal {
  ok: false
  /** a shared message code, or a `reading.errors.*` key for device-only reasons */
  code: MessageCode | string
  text: string
}
export type ActionResult = { ok: true } | Refusal

const OK: ActionResult = { ok: true }

/** `body.households.2` → 登记的住户; reading's own field names first, then the shared ones. */
function fieldName(path: string): string {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? ''
  const key = `reading.fields.${last}`
  const own = t(key)
  return own === key ? fieldText(path) : own
}

function refuse(code: MessageCode, path?: string, max?: number): Refusal {
  const words = message(code, locale.value, { max })
  const hint = code === 'headcount_below_named' ? t('reading.errors.untickFirst') : ''
  const text = path && code !== 'headcount_below_named' && code !== 'duplicate_household' ? t('reading.errors.field', { field: fieldName(path), message: words }) : words
  return { ok: false, code, text: hint ? `${text}${t('reading.errors.sep')}${hint}` : text }
}

function refuseLocal(key: string): Refusal {
  return { ok: false, code: key, text: t(`reading.errors.${key}`) }
}

/** Reading sessions, their corrections and voids, and household names for the roster (feedback: the feedback store's fold). */
async function readingLog(): Promise<AnyRecord[]> {
  const rows = await recordsOfTypes(['reading.session', 'correction', 'void', 'household.profile'])
  return rows.filter((r) => r.type === 'household.profile' || isReadingPointPath(r.orgPath))
}

/** Reading points, their sessions and the session running on this device. Views use this, never Dexie. */
export const useReadingStore = defineStore('reading', () => {
  const records = useRecordsStore()
  const session = useSessionStore()
  const org = useOrgStore()
  const feedbackStore = useFeedbackStore()

  /** the session running now, mirrored in the drafts table on every change (shallow: stored as plain JSON) */
  const running = shallowRef<SessionDraft | null>(null)
  const log = shallowRef<AnyRecord[]>([])

  liveQuery(readingLog).subscribe({ next: (rows) => (log.value = rows), error: () => undefined })

  /** the running session came back from the device after a reload (not started in this page's life): the screen says so */
  const restored = shallowRef(false)
  /** the id of the session finished last, for "已保存" on the point page */
  const justFinished = shallowRef<string | null>(null)

  const sessions = computed(() => foldReadingSessions(log.value))
  // the feedback store owns the fold of feedback; the counts per session come from its views
  const feedback = computed(() => feedbackStore.views)
  const summaries = computed(() => readingSummary(sessions.value, feedback.value))
  /** feedback raised per session id */
  const feedbackCount = computed(() => {
    const counts = new Map<string, number>()
    for (const f of feedback.value.values()) if (f.source?.type === 'reading.session') counts.set(f.source.id, (counts.get(f.source.id) ?? 0) + 1)
    return counts
  })
  /** what neighbours call a household (王阿姨), by householdRef */
  const names = computed(() => new Map([...foldHouseholdProfiles(log.value)].map(([k, p]) => [k, p.displayName])))
  const scopes = computed(() => session.user?.scopes ?? [])
  const points = computed(() => org.readingPointsFor(scopes.value))

  /** Brings back a running session after a reload; one already saved (the drop was lost) is cleared. */
  async function load(): Promise<void> {
    const kept = await records.draft<SessionDraft>(RUNNING_KEY)
    if (kept && (await records.find(kept.id))) {
      await records.dropDraft(RUNNING_KEY)
      running.value = null
    } else {
      running.value = kept ?? null
      restored.value = !!kept
    }
  }
  /** resolves once a kept draft is back; views await it before deciding "start" or "continue" */
  let ready = load()
  // another person logging in on this device wipes the drafts table
  watch(() => session.user?.id, () => void (ready = load()))
  const whenReady = () => ready

  async function change(next: SessionDraft): Promise<ActionResult> {
    running.value = next
    await records.keepDraft(RUNNING_KEY, next)
    return OK
  }

  function point(path: string): OrgNode | undefined {
    return org.nodes.get(path)
  }

  /** Points the user takes part in (their scopes' and their group's or community's), as the server allows (scope.ts). */
  function canRun(pointPath: string): boolean {
    return points.value.some((p) => p.path === pointPath)
  }

  /** Buildings whose households can be ticked at a point (those with a known layout). */
  function catchment(pointPath: string): OrgNode[] {
    return readingCatchment(pointPath, org.nodes.values()).filter((b) => b.layout)
  }

  function history(pointPath: string): ReadingSessionView[] {
    return liveSessions(sessions.value, pointPath)
  }

  async function start(pointPath: string, now = Date.now()): Promise<ActionResult> {
    await ready
    if (running.value) return refuseLocal('alreadyRunning')
    const user = session.user
    if (!user) return refuseLocal('notSignedIn')
    if (!canRun(pointPath)) return refuse('out_of_scope')
    restored.value = false
    return change(newSessionDraft({ pointPath, reader: user.name, readerId: user.id, now }))
  }

  /** Applies a change to the running session, or says there is none. */
  function edit(fn: (d: SessionDraft) => SessionDraft | Refusal): Promise<ActionResult> | ActionResult {
    const d = running.value
    if (!d) return refuseLocal('noSession')
    const next = fn(d)
    return 'ok' in next ? next : change(next)
  }

  /** Typed or set head count; below the named households is refused (untick them first). */
  function setCount(n: number) {
    return edit((d) => {
      const whole = Math.round(n)
      if (!Number.isFinite(whole) || whole < 0 || whole > HEADCOUNT_MAX) return refuse('bad_value', 'body.headCount')
      if (whole < d.households.length) return refuse('headcount_below_named', 'body.headCount')
      return setHeadCount(d, whole)
    })
  }

  /** The big − / +: below zero does nothing, below the named households says why. */
  function adjust(delta: number) {
    return edit((d) => {
      const n = d.headCount + delta
      if (n < 0) return d
      if (n < d.households.length) return refuse('headcount_below_named', 'body.headCount')
      return setHeadCount(d, n)
    })
  }

  /** Names a household present; the same one twice (a double tap) is refused. */
  function checkIn(h: NamedHousehold) {
    return edit((d) => {
      if (isTicked(d, h)) return refuse('duplicate_household', 'body.households')
      const building = catchment(d.pointPath).find((b) => b.path === h.building)
      if (!building?.layout || !householdInLayout(h.household, building.layout)) return refuse('unknown_household', 'body.households')
      return tickHousehold(d, h)
    })
  }

  /** Takes a named household off again; the head count stays (that person may still be there). */
  function checkOut(h: NamedHousehold) {
    return edit((d) => (isTicked(d, h) ? tickHousehold(d, h) : d))
  }

  function toggleMaterialOf(material: string) {
    return edit((d) => toggleMaterial(d, material))
  }

  /** The reader is me unless someone else's name is typed. */
  function setReader(name: string) {
    return edit((d) => {
      const { readerId: _dropped, ...rest } = d
      const me = session.user
      return me && name.trim() === me.name ? { ...rest, reader: name, readerId: me.id } : { ...rest, reader: name }
    })
  }

  function setNotes(notes: string) {
    return edit((d) => ({ ...d, notes }))
  }

  /** A session noted afterwards starts earlier than now; it cannot start in the future. */
  function setStartedAt(iso: string, now = Date.now()) {
    return edit((d) => {
      const at = Date.parse(iso)
      if (Number.isNaN(at)) return refuse('bad_value', 'body.startedAt')
      if (at > now || isTooFarInFuture(iso, now)) return refuseLocal('startInFuture')
      return { ...d, startedAt: new Date(at).toISOString() }
    })
  }

  /** 结束活动: the draft becomes one `reading.session` record (with the draft's id) and is cleared. */
  async function finish(now = Date.now()): Promise<ActionResult & { id?: string }> {
    const d = running.value
    if (!d) return refuseLocal('noSession')
    const body = draftToBody(d, now)
    if (!body.ok) return refuse(body.issues[0]!.code, body.issues[0]!.path)
    try {
      await records.save('reading.session', body.orgPath, body.body, { id: body.id })
    } catch (e) {
      if (e instanceof RecordShapeError) return refuse(e.code, e.path, e.max)
      const storage = storageFaultText(e)
      if (storage) return { ok: false, code: 'storage', text: storage }
      // saved before but the draft outlived it (a crash between the two writes): finishing again is done
      if (!(await records.find(body.id))) return refuseLocal('notSaved')
    }
    await records.dropDraft(RUNNING_KEY)
    running.value = null
    justFinished.value = body.id
    return { ok: true, id: body.id }
  }

  /** 放弃本次活动: nothing is recorded. */
  async function discard(): Promise<void> {
    await records.dropDraft(RUNNING_KEY)
    running.value = null
  }

  type Fields = Extract<CorrectionBody, { targetType: 'reading.session' }>['fields']

  /** A later change to a finished session, saved as a correction record. */
  async function correct(id: string, fields: Fields, reason = ''): Promise<ActionResult> {
    const view = sessions.value.get(id)
    if (!view || view.voided) return refuse('unknown_target')
    const issue = checkSessionCorrection(fields, view, (p) => org.nodes.get(p))
    if (issue) return refuse(issue.code, issue.path.replace('body.fields.', 'body.'))
    return saveAmendment(() =>
      records.save('correction', view.orgPath, { target: id, targetType: 'reading.session', fields, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    )
  }

  /** Withdraws a mistaken session with a void record; the reason is required. */
  async function withdraw(id: string, reason: string): Promise<ActionResult> {
    const view = sessions.value.get(id)
    if (!view || view.voided) return refuse('unknown_target')
    if (!reason.trim()) return refuse('required', 'body.reason')
    return saveAmendment(() => records.save('void', view.orgPath, { target: id, reason: reason.trim() }))
  }

  async function saveAmendment(save: () => Promise<unknown>): Promise<ActionResult> {
    try {
      await save()
      return OK
    } catch (e) {
      if (e instanceof RecordShapeError) return refuse(e.code, e.path, e.max)
      const storage = storageFaultText(e)
      return storage ? { ok: false, code: 'storage', text: storage } : refuseLocal('notSaved')
    }
  }

  return {
    running,
    restored,
    justFinished,
    sessions,
    summaries,
    feedbackCount,
    names,
    points,
    whenReady,
    load,
    point,
    canRun,
    catchment,
    history,
    start,
    setCount,
    adjust,
    checkIn,
    checkOut,
    toggleMaterial: toggleMaterialOf,
    setReader,
    setNotes,
    setStartedAt,
    finish,
    discard,
    correct,
    withdraw,
  }
})
