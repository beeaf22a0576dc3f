import { defineStore } from 'pinia'
import { liveQuery } from 'dexie'
import { computed, ref, shallowRef } from 'vue'
import {
  ROLE_LEVEL,
  availableActions,
  feedbackEventBody,
  feedbackMetrics,
  foldFeedback,
  inboxFor,
  isUnderAny,
  message,
  monthKey,
  monthRange,
  raisedBy,
  type AnyRecord,
  type FeedbackAction,
  type FeedbackActor,
  type FeedbackBody,
  type FeedbackMetrics,
  type FeedbackView,
  type Level,
  type MessageCode,
  type ReportBackHow,
  type ResidentView,
} from '@shared/index'
import { recordsOfTypes } from '@app/stores/recordsOfTypes'
import { locale } from '@app/i18n'
import { storageFaultText } from '@app/db/faults'
import { RecordShapeError } from '@app/sync/errors'
import { useOrgStore } from '@app/stores/org'
import { useRecordsStore } from '@app/stores/records'
import { useSessionStore } from '@app/stores/session'

/** Why a save was refused: a shared message code, the words for the person, and the field. */
export interface FeedbackRefusal {
  ok: false
  code: MessageCode
  text: string
  path: string
}
export type FeedbackSaveResult = { ok: true; id: string } | FeedbackRefusal

function refusal(code: MessageCode, path = '', max?: number): FeedbackRefusal {
  return { ok: false, code, text: message(code, locale.value, { max }), path }
}

/** A refused save in words; anything but a shape error is rethrown (the device itself failed). */
function refusalOf(e: unknown): FeedbackRefusal {
  if (e instanceof RecordShapeError) return refusal(e.code, e.path, e.max)
  const storage = storageFaultText(e)
  if (storage) return { ok: false, code: 'storage_full', text: storage, path: '' }
  throw e
}

/**
 * Resident feedback as the device knows it: every `feedback` and
 * `feedback.event` record here, synced or not, folded by the shared rules.
 * Views use this, never Dexie.
 */
export const useFeedbackStore = defineStore('feedback', () => {
  const records = useRecordsStore()
  const session = useSessionStore()
  const org = useOrgStore()

  /** the feedback log on this device, in no particular order (the fold orders it) */
  const log = shallowRef<AnyRecord[]>([])
  /** true once the log has been read, so a detail page can tell "not here" from "not yet loaded" */
  const loaded = ref(false)
  liveQuery(() => recordsOfTypes(['feedback', 'feedback.event'])).subscribe({
    next: (rows) => {
      log.value = rows
      loaded.value = true
    },
    error: () => undefined,
  })

  /** the feedback raised last on this device, for "已保存" on the list it returns to */
  const lastSaved = ref<string | null>(null)

  const views = computed(() => foldFeedback(log.value))
  /** the level the signed-in person works at; null when signed out */
  const level = computed<Level | null>(() => (session.user ? ROLE_LEVEL[session.user.role] : null))
  /** who acts from this device, for the actions it offers */
  const actor = computed<FeedbackActor | null>(() => (session.user && level.value ? { id: session.user.id, level: level.value } : null))
  /** my scopes plus the reading points I join: feedback raised at my group's point is mine to see too */
  const scopes = computed(() => (session.user ? org.effectiveScopes(session.user.scopes) : []))

  /** waiting at my level in my scopes: urgent first, then oldest */
  const inbox = computed(() => (level.value ? inboxFor(views.value, { level: level.value, scopes: scopes.value }) : []))
  /** what I raised, newest first, wherever it is now */
  const mine = computed(() => (session.user ? raisedBy(views.value, session.user.id) : []))
  /**
   * Everything else in my scopes, open first, then newest. A building leader
   * tells the resident what became of their words, so they follow every item of
   * their buildings; staff above see what is moving below and above them.
   */
  const following = computed(() => {
    const skip = new Set([...inbox.value, ...mine.value].map((f) => f.id))
    return [...views.value.values()]
      .filter((f) => !skip.has(f.id) && isUnderAny(f.orgPath, scopes.value))
      .sort((a, b) => (a.status === b.status ? Date.parse(b.raisedAt) - Date.parse(a.raisedAt) : a.status === 'open' ? -1 : 1))
  })
  /** everything in my scopes, for the filters of the wide layout */
  const all = computed(() => [...views.value.values()].filter((f) => isUnderAny(f.orgPath, scopes.value)))

  function find(id: string): FeedbackView | undefined {
    return views.value.get(id)
  }

  function actionsFor(view: FeedbackView): FeedbackAction[] {
    return actor.value ? availableActions(view, actor.value) : []
  }

  /** Saves new feedback; "saved" means on this device, whatever the network. `opts.id`: the form's id. */
  async function raise(orgPath: string, body: FeedbackBody, opts: { id?: string } = {}): Promise<FeedbackSaveResult> {
    if (!body.description.trim()) return refusal('required', 'body.description')
    try {
      const record = await records.save('feedback', orgPath, { ...body, description: body.description.trim() }, opts)
      lastSaved.value = record.id
      return { ok: true, id: record.id }
    } catch (e) {
      return refusalOf(e)
    }
  }

  /** A comment, escalation, resolution or reopening, checked against what this device shows now. */
  /** `opts.id`: the id the action form made when it opened, so a second tap is the same event. */
  /** `opts.reportBack`: for 回访, how and when the resident was told and what they said. */
  async function act(
    id: string,
    action: FeedbackAction,
    text: string,
    opts: { id?: string; reportBack?: { how: ReportBackHow; residentView: ResidentView; reportedAt: string } } = {},
  ): Promise<FeedbackSaveResult> {
    const view = views.value.get(id)
    if (!view) return refusal('unknown_target', 'body.feedback')
    if (!actor.value) return refusal('forbidden')
    const built = feedbackEventBody(view, action, text, actor.value, opts.reportBack)
    if (!built.ok) return refusal(built.issue.code, built.issue.path)
    try {
      const record = await records.save('feedback.event', view.orgPath, built.body, opts.id !== undefined ? { id: opts.id } : {})
      return { ok: true, id: record.id }
    } catch (e) {
      return refusalOf(e)
    }
  }

  /** The seed's numbers for a Shanghai month (default: this one) over feedback in my scopes. */
  function metrics(month = monthKey(Date.now())): FeedbackMetrics {
    return feedbackMetrics(all.value, monthRange(month))
  }

  return { log, loaded, lastSaved, views, level, actor, inbox, mine, following, all, find, actionsFor, raise, act, metrics }
})
