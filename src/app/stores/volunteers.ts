import { defineStore } from 'pinia'
import { liveQuery } from 'dexie'
import { computed, ref, shallowRef, watch } from 'vue'
import * as v from 'valibot'
import {
  LEVELS,
  ROLE_LEVEL,
  WishAddressResponse,
  addressesToForget,
  foldPairings,
  foldServices,
  foldTeams,
  foldVolunteers,
  foldWishes,
  holdsClaim,
  maySeeAddress,
  monthKey,
  monthRange,
  volunteerIdsOf,
  volunteerMonth,
  type AnyRecord,
  type CorrectionBody,
  type ServiceView,
  type BodyOf,
  type LocalRecord,
  type RecordType,
  type WishAction,
  type WishActor,
  type WishView,
} from '@shared/index'
import { db } from '@app/db/database'
import { recordsOfTypes } from '@app/stores/recordsOfTypes'
import { trustedNow } from '@app/sync/clock'
import { request } from '@app/sync/transport'
import { useRecordsStore } from '@app/stores/records'
import { useSessionStore } from '@app/stores/session'
import { useOrgStore } from '@app/stores/org'

/** Every record type the volunteer screens fold. */
export const VOLUNTEER_TYPES = ['volunteer.team', 'volunteer', 'volunteer.pairing', 'volunteer.service', 'wish', 'wish.address', 'wish.event', 'correction', 'void'] as const

/** What a correction may change in a service (src/shared/records.ts CORRECTABLE). */
export type ServiceFields = Extract<CorrectionBody, { targetType: 'volunteer.service' }>['fields']

/** How often "now" moves on by itself, so a claim lapses on screen while the app stays open. */
const CLOCK_TICK_MS = 30_000

/**
 * Volunteers, teams, pairings, services and the 微心愿 wall as the screens see
 * them, folded from the device's log (src/shared/volunteers.ts, wishes.ts), and
 * the saves that add to it: each checked by the shared rules before it is kept,
 * offline like a visit. A volunteer account holds only its own records and the
 * wall (the server's pull sends nothing else); the address of a wish it claimed
 * is fetched once online (`loadAddress`).
 */
export const useVolunteersStore = defineStore('volunteers', () => {
  const session = useSessionStore()
  const records = useRecordsStore()
  const org = useOrgStore()
  const log = shallowRef<AnyRecord[]>([])
  /** false until the device's log was first read: an edit screen waits for it rather than say "not found" */
  const loaded = ref(false)
  const now = ref(Date.now())

  liveQuery(() => recordsOfTypes(VOLUNTEER_TYPES)).subscribe({
    next: (rows) => {
      log.value = rows
      loaded.value = true
    },
    error: () => undefined,
  })
  setInterval(() => (now.value = Date.now()), CLOCK_TICK_MS)

  const teams = computed(() => foldTeams(log.value))
  const volunteers = computed(() => foldVolunteers(log.value))
  const pairings = computed(() => foldPairings(log.value))
  const services = computed(() => foldServices(log.value))
  const wishes = computed(() => foldWishes(log.value, now.value))
  /** wish id → its household and how to reach them (leaders have them all; a volunteer the ones it fetched) */
  const addresses = computed(() => {
    const out = new Map<string, BodyOf<'wish.address'>>()
    for (const r of log.value) if (r.type === 'wish.address') out.set(r.body.wish, r.body)
    return out
  })

  const isVolunteer = computed(() => session.user?.role === 'volunteer')
  /** group leaders and the levels above register volunteers and teams and pair them */
  const manages = computed(() => !!session.user && !isVolunteer.value && LEVELS.indexOf(ROLE_LEVEL[session.user.role]) <= LEVELS.indexOf('group'))
  /** the registered volunteers this account acts as */
  const myIds = computed(() => (isVolunteer.value && session.user ? volunteerIdsOf(volunteers.value, session.user.phone) : []))
  const actor = computed<WishActor>(() => ({ id: session.user?.id ?? '', volunteer: isVolunteer.value, volunteerIds: myIds.value }))

  /** where this account registers volunteers and teams: the communities and groups it covers */
  const registerPlaces = computed(() => {
    const scopes = session.user?.scopes ?? []
    return [...org.under(scopes, 'community'), ...org.under(scopes, 'group')].map((n) => ({ value: n.path, label: n.name }))
  })

  const activeVolunteers = computed(() => [...volunteers.value.values()].filter((x) => x.active).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')))
  const activeTeams = computed(() => [...teams.value.values()].filter((x) => x.active))
  const activePairings = computed(() => [...pairings.value.values()].filter((p) => p.active && (!isVolunteer.value || myIds.value.includes(p.volunteer))))
  /** the wall: open wishes first, then claimed, then done; newest first within each */
  const wall = computed(() => {
    const order: Record<WishView['status'], number> = { open: 0, claimed: 1, fulfilled: 2, confirmed: 3, withdrawn: 4 }
    return [...wishes.value.values()].sort((a, b) => order[a.status] - order[b.status] || b.postedAt - a.postedAt)
  })

  // a volunteer's phone keeps a wish's address only while it holds the claim: once the claim
  // lapses, is given back or the wish is taken down, the fetched address record is deleted
  watch([wishes, actor], () => {
    const forget = addressesToForget(log.value, wishes.value, actor.value)
    if (forget.length) void db.records.bulkDelete(forget).catch(() => undefined)
  })

  function monthOf(volunteer: string, month = monthKey(now.value)) {
    return volunteerMonth(services.value.values(), volunteer, monthRange(month))
  }
  function nameOf(volunteer: string): string {
    return volunteers.value.get(volunteer)?.name ?? [...pairings.value.values()].find((p) => p.volunteer === volunteer)?.volunteerName ?? ''
  }
  function mayAct(w: WishView, action: WishAction): boolean {
    const a = actor.value
    switch (action) {
      case 'claim':
        return w.status === 'open' && (!a.volunteer || a.volunteerIds.length > 0)
      case 'release':
      case 'fulfil':
        return w.status === 'claimed' && (!a.volunteer || holdsClaim(w, a))
      case 'confirm':
        return !a.volunteer && w.status === 'fulfilled'
      case 'withdraw':
        return !a.volunteer && (w.status === 'open' || w.status === 'claimed')
    }
  }
  function addressOf(w: WishView) {
    return maySeeAddress(w, actor.value) ? addresses.value.get(w.id) : undefined
  }

  async function save<T extends RecordType>(type: T, orgPath: string, body: BodyOf<T>, opts: { id?: string } = {}): Promise<LocalRecord<T>> {
    const record = await records.save(type, orgPath, body, opts)
    now.value = Date.now()
    return record
  }

  const iso = () => new Date(trustedNow()).toISOString()

  /**
   * Corrects a service (a wrong entry is corrected, not edited): a `correction`
   * naming it with the fields that change. Refused in words like any save
   * (only its author or a leader above them may mend it).
   */
  async function correctService(service: ServiceView, fields: ServiceFields, reason = '', id?: string) {
    return save('correction', service.orgPath, { target: service.id, targetType: 'volunteer.service', fields, ...(reason.trim() ? { reason: reason.trim() } : {}) }, id ? { id } : {})
  }

  /** Voids a service recorded by mistake (twice, or never done): it no longer counts; `reason` is required. */
  async function voidService(service: ServiceView, reason: string, id?: string) {
    return save('void', service.orgPath, { target: service.id, reason: reason.trim() }, id ? { id } : {})
  }

  /** Posts a wish and, beside it, where the resident lives (seen only by leaders and the claimer). */
  async function postWish(building: string, wish: Omit<BodyOf<'wish'>, 'postedAt'>, address: { household: string; contact: string }, id?: string) {
    const saved = await save('wish', building, { ...wish, description: wish.description.trim(), postedAt: iso() }, id ? { id } : {})
    await save('wish.address', building, { wish: saved.id, household: address.household, contact: address.contact.trim() })
    return saved
  }

  async function stepWish(w: WishView, action: WishAction, note = '', volunteer?: string) {
    const base = { wish: w.id, at: iso(), note: note.trim() }
    if (action === 'claim') return save('wish.event', w.building, { ...base, action, volunteer: volunteer ?? myIds.value[0] ?? '' })
    if (action === 'fulfil') return save('wish.event', w.building, { ...base, action })
    return save('wish.event', w.building, { ...base, action })
  }

  /**
   * Fetches the address of a wish this volunteer holds the claim of, once the
   * claim is on the server, and keeps it with the log. False when it is not
   * (yet) given: offline, the claim not synced, or no longer held.
   */
  async function loadAddress(wishId: string): Promise<boolean> {
    const token = (await db.getMeta('session'))?.token
    if (!token) return false
    const res = await request<unknown>({ fetch: (url, init) => globalThis.fetch(url, init) }, { method: 'GET', path: `/wishes/${wishId}/address`, token })
    if (res.kind !== 'ok') return false
    const parsed = v.safeParse(WishAddressResponse, res.data)
    if (!parsed.success) return false
    await db.records.put(parsed.output.record)
    return true
  }

  return {
    log, loaded, now, registerPlaces, correctService, voidService, teams, volunteers, pairings, services, wishes, wall, isVolunteer, manages, myIds, actor,
    activeVolunteers, activeTeams, activePairings, monthOf, nameOf, mayAct, addressOf, save, postWish, stepWish, loadAddress,
  }
})
