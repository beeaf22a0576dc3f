/**
 * The 微心愿 wall: a wish's life folded from its record and its events, the same
 * on the device and the server. Times are trusted (trustedAt): a phone clock
 * cannot stretch a claim. A claim lapses `WISH_CLAIM_DAYS` after it was made if
 * the wish is not fulfilled by then; no job runs for that, the fold sees it
 * from the claim's time and `now`.
 *
 * Who may take which step is the rules' (checkWishEvent, run by device and
 * server before a record is kept); the fold only decides which steps take
 * effect, in log order: a claim on a wish already claimed (and not lapsed) or
 * done, a fulfil after the claim lapsed, a confirm before a fulfil… stay in the
 * history with no effect.
 */
import { inLogOrder } from './fold'
import type { AnyRecord, RecordIssue, WishAction, WishCategory, WishEventBody } from './records'
import { DAY_MS } from './time'
import { trustedAt } from './volunteers'

/** A claim not fulfilled within this many days lapses and the wish is open again. */
export const WISH_CLAIM_DAYS = 7

export const WISH_STATUSES = ['open', 'claimed', 'fulfilled', 'confirmed', 'withdrawn'] as const
export type WishStatus = (typeof WISH_STATUSES)[number]

export interface WishClaim {
  volunteer: string
  /** who saved the claim (the volunteer's account, or a leader for them) */
  by: string
  /** trusted, epoch ms */
  at: number
  expiresAt: number
}

export interface WishStep {
  recordId: string
  action: WishAction
  by: string
  at: number
  note: string
  volunteer?: string
  effective: boolean
}

export interface WishView {
  id: string
  building: string
  category: WishCategory
  description: string
  costCap: number
  postedBy: string
  /** trusted postedAt, epoch ms */
  postedAt: number
  status: WishStatus
  /** the claim in force (status claimed, fulfilled or confirmed) */
  claim?: WishClaim
  /** the last claim that lapsed, while the wish is open again */
  lapsed?: WishClaim
  fulfilledAt?: number
  fulfilNote?: string
  confirmedAt?: number
  steps: WishStep[]
}

/** The status a wish has at `t`: a claim past its time is no claim. */
function settle(w: WishView, t: number): void {
  if (w.status === 'claimed' && w.claim && t >= w.claim.expiresAt) {
    w.lapsed = w.claim
    delete w.claim
    w.status = 'open'
  }
}

function apply(w: WishView, step: WishStep, b: WishEventBody): boolean {
  settle(w, step.at)
  switch (b.action) {
    case 'claim':
      if (w.status !== 'open') return false
      w.status = 'claimed'
      w.claim = { volunteer: b.volunteer, by: step.by, at: step.at, expiresAt: step.at + WISH_CLAIM_DAYS * DAY_MS }
      delete w.lapsed
      return true
    case 'release':
      if (w.status !== 'claimed') return false
      w.status = 'open'
      delete w.claim
      return true
    case 'fulfil':
      if (w.status !== 'claimed') return false
      w.status = 'fulfilled'
      w.fulfilledAt = step.at
      w.fulfilNote = b.note
      return true
    case 'confirm':
      if (w.status !== 'fulfilled') return false
      w.status = 'confirmed'
      w.confirmedAt = step.at
      return true
    case 'withdraw':
      if (w.status === 'confirmed' || w.status === 'withdrawn') return false
      w.status = 'withdrawn'
      delete w.claim
      return true
  }
}

/**
 * Every wish with its status at `now` (epoch ms), from `wish` and `wish.event`
 * records in log order. Events for a wish not (yet) held are ignored.
 */
export function foldWishes(records: readonly AnyRecord[], now: number): Map<string, WishView> {
  const wishes = new Map<string, WishView>()
  for (const r of inLogOrder(records)) {
    if (r.type === 'wish') {
      const b = r.body
      wishes.set(r.id, {
        id: r.id, building: r.orgPath, category: b.category, description: b.description, costCap: b.costCap,
        postedBy: r.authorId, postedAt: trustedAt(b.postedAt, r), status: 'open', steps: [],
      })
    } else if (r.type === 'wish.event') {
      const b = r.body
      const w = wishes.get(b.wish)
      if (!w || w.building !== r.orgPath) continue
      // never before the wish was posted: a step cannot precede what it acts on
      const at = Math.max(trustedAt(b.at, r), w.postedAt)
      const step: WishStep = { recordId: r.id, action: b.action, by: r.authorId, at, note: b.note, ...(b.action === 'claim' ? { volunteer: b.volunteer } : {}), effective: false }
      step.effective = apply(w, step, b)
      w.steps.push(step)
    }
  }
  for (const w of wishes.values()) settle(w, now)
  return wishes
}

/** The person acting on a wish, as the rules see them. */
export interface WishActor {
  id: string
  /** a volunteer account (not a leader) */
  volunteer: boolean
  /** the registered volunteers this account acts as (volunteerIdsOf) */
  volunteerIds: readonly string[]
}

/** Holds `actor` the claim in force on `w`? */
export function holdsClaim(w: Pick<WishView, 'claim'>, actor: Pick<WishActor, 'id' | 'volunteerIds'>): boolean {
  return !!w.claim && (w.claim.by === actor.id || actor.volunteerIds.includes(w.claim.volunteer))
}

/**
 * May `actor` take this step on `w` as it stands at the step's time `at`?
 * Volunteers claim for themselves, give back and fulfil only their own claim;
 * leaders may do everything for a volunteer without an account, and alone
 * confirm and withdraw. Null when allowed; the issue otherwise.
 */
export function checkWishEvent(b: WishEventBody, w: WishView | undefined, actor: WishActor, at: number): RecordIssue | null {
  if (!w) return { code: 'unknown_target', path: 'body.wish' }
  const view: WishView = { ...w, ...(w.claim ? { claim: { ...w.claim } } : {}) }
  settle(view, at)
  switch (b.action) {
    case 'claim':
      if (actor.volunteer && !actor.volunteerIds.includes(b.volunteer)) return { code: 'not_your_volunteer', path: 'body.volunteer' }
      return view.status === 'open' ? null : { code: 'wish_taken', path: 'body.wish' }
    case 'release':
    case 'fulfil':
      if (view.status !== 'claimed') return { code: 'wish_wrong_state', path: 'body.action' }
      return !actor.volunteer || holdsClaim(view, actor) ? null : { code: 'wish_not_yours', path: 'body.wish' }
    case 'confirm':
    case 'withdraw':
      if (actor.volunteer) return { code: 'wish_not_yours', path: 'body.action' }
      if (b.action === 'confirm' ? view.status !== 'fulfilled' : view.status === 'confirmed' || view.status === 'withdrawn') return { code: 'wish_wrong_state', path: 'body.action' }
      return null
  }
}

/**
 * May `actor` see where the resident of `w` lives? Leaders (whose scope the
 * wish is in) always; a volunteer only while they hold the claim in force.
 */
export function maySeeAddress(w: WishView, actor: WishActor): boolean {
  return !actor.volunteer || ((w.status === 'claimed' || w.status === 'fulfilled' || w.status === 'confirmed') && holdsClaim(w, actor))
}

/**
 * The `wish.address` records a device must forget: those of wishes `actor` may no
 * longer see (a volunteer whose claim lapsed, was given back or passed to another,
 * or a wish taken down). The address must not stay on a volunteer's phone once the
 * claim is gone, only hidden. `wishes` as folded at the device's trusted now.
 * Returns record ids; none for leaders.
 */
export function addressesToForget(log: readonly AnyRecord[], wishes: ReadonlyMap<string, WishView>, actor: WishActor): string[] {
  if (!actor.volunteer) return []
  const out: string[] = []
  for (const r of log) {
    if (r.type !== 'wish.address') continue
    const w = wishes.get(r.body.wish)
    if (!w || !maySeeAddress(w, actor)) out.push(r.id)
  }
  return out
}
