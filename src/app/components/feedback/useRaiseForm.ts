/**
 * The feedback form's state and its save. Half-typed words are kept as a
 * draft on the device on every change (a closed app or an update loses nothing;
 * useFormDraft), and a refused save keeps everything as it was, with the reason
 * next to the field. The feedback is saved under the id made when the form
 * opened, and a second tap answers with the first save: one item, never two.
 */
import { computed, ref, watch } from 'vue'
import { message, ROLE_LEVEL, type Channel, type FeedbackBody, type FeedbackCategory, type OrgNode, type Urgency } from '@shared/index'
import { locale, t } from '@app/i18n'
import { useFeedbackStore } from '@app/stores/feedback'
import { useOrgStore } from '@app/stores/org'
import { useSessionStore } from '@app/stores/session'
import { useUnsavedGuard } from '@app/composables/useUnsavedGuard'
import { useFormDraft } from '@app/composables/useFormDraft'
import { doorKey, doorOf, type DoorInput } from './household'
import { placesFor, raiseDraftKey, type RaiseContext } from './raiseContext'

export interface RaiseDraft {
  place: string | null
  door: DoorInput
  /** null until picked: the form asks rather than guessing */
  category: FeedbackCategory | null
  description: string
  urgency: Urgency
  channel: Channel
}

export interface FormError {
  text: string
  /** `orgPath`, `body.household`, `body.description`… or '' for the form as a whole */
  path: string
}

export function useRaiseForm(ctx: RaiseContext) {
  const org = useOrgStore()
  const session = useSessionStore()
  const feedback = useFeedbackStore()
  const level = computed(() => (session.user ? ROLE_LEVEL[session.user.role] : 'building'))

  const places = computed(() => {
    const nodes = placesFor(level.value, session.user?.scopes ?? [], org.under)
    const given = ctx.orgPath ? org.nodes.get(ctx.orgPath) : undefined
    // a reading point or a building handed over by the link is the place, whatever the usual list
    const list: OrgNode[] = given ? [given, ...nodes.filter((n) => n.path !== given.path)] : nodes
    return (given?.kind === 'reading_point' ? [given] : list).map((node) => ({ node, label: node.name }))
  })

  const place = ref<string | null>(ctx.orgPath)
  const door = ref<DoorInput>(doorOf(ctx.household))
  const category = ref<FeedbackCategory | null>(null)
  const description = ref('')
  const urgency = ref<Urgency>('normal')
  const channel = ref<Channel>(ctx.channel ?? (level.value === 'building' ? 'visit' : 'other'))
  const saving = ref(false)
  const error = ref<FormError | null>(null)
  /** the feedback this form saved: further taps answer with it */
  const savedId = ref<string | null>(null)

  // one place only: nothing to choose
  watch(places, (p) => {
    if (!place.value && p.length === 1) place.value = p[0]!.node.path
  }, { immediate: true })

  const layout = computed(() => (place.value ? org.nodes.get(place.value)?.layout : undefined))
  const isBuilding = computed(() => !!place.value && org.nodes.get(place.value)?.kind === 'building')

  useUnsavedGuard(() => description.value.trim() !== '')
  // a message about a field goes once the person changes the form
  watch([place, door, description, category], () => (error.value = null), { deep: true })

  const key = raiseDraftKey(ctx)
  const initial: RaiseDraft = { place: place.value, door: { ...door.value }, category: category.value, description: '', urgency: urgency.value, channel: channel.value }
  function fill(d: RaiseDraft): void {
    place.value = d.place ?? place.value
    door.value = { ...d.door }
    category.value = d.category
    description.value = d.description
    urgency.value = d.urgency
    channel.value = d.channel
  }
  const draft = useFormDraft<RaiseDraft>({
    key: () => key,
    snapshot: () => ({ place: place.value, door: { ...door.value }, category: category.value, description: description.value, urgency: urgency.value, channel: channel.value }),
    apply: fill,
    reset: () => fill(initial),
    worthKeeping: (d) => d.description.trim() !== '',
  })

  async function load(): Promise<void> {
    await draft.load()
  }

  function fail(path: string, text: string): null {
    error.value = { path, text }
    return null
  }

  /** Saves and returns the new id; null when refused (everything typed stays). */
  async function save(): Promise<string | null> {
    if (savedId.value) return savedId.value
    if (saving.value) return null
    error.value = null
    if (!description.value.trim()) return fail('body.description', t('feedback.errors.field', { field: fieldName('body.description'), message: message('required', locale.value) }))
    if (!category.value) return fail('body.category', t('feedback.errors.noCategory'))
    if (!place.value) return fail('orgPath', t('feedback.errors.noPlace'))
    const household = isBuilding.value ? doorKey(door.value, layout.value) : null
    if (household === 'bad') return fail('body.household', t('feedback.errors.badRoom'))
    if (household === 'noUnit') return fail('body.household', t('feedback.errors.noUnit'))
    const body: FeedbackBody = {
      category: category.value,
      description: description.value,
      urgency: urgency.value,
      channel: channel.value,
      raisedAt: new Date().toISOString(),
      ...(household ? { household } : {}),
      ...(ctx.source ? { source: ctx.source } : {}),
    }
    saving.value = true
    try {
      const r = await feedback.raise(place.value, body, { id: draft.formId.value })
      if (!r.ok) return fail(r.path, t('feedback.errors.field', { field: fieldName(r.path), message: message(r.code, locale.value) }))
      savedId.value = r.id
      await draft.done() // nothing more to keep: the words are a record now
      return r.id
    } catch {
      return fail('', t('feedback.errors.notSaved'))
    } finally {
      saving.value = false
    }
  }

  return { places, place, door, category, description, urgency, channel, layout, isBuilding, saving, saved: computed(() => savedId.value !== null), error, draft, load, save }
}

/** `body.description` → 问题描述 */
function fieldName(path: string): string {
  const last = path.split('.').pop() ?? ''
  const key = `feedback.fields.${last}`
  const text = t(key)
  return text === key ? t('feedback.fields.text') : text
}
