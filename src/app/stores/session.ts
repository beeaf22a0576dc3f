import { defineStore } from 'pinia'
import { clearPersonalCaches } from '@app/pipl/caches'
import { computed, ref } from 'vue'
import { samePhone } from '@shared/phone'
import type { Session } from '@app/db/schema'
import type { LoudongDB } from '@app/db/database'
import { RUNNING_KEY } from '@app/db/draftKeys'
import { t } from '@app/i18n'
import { tn } from '@app/i18n/plural'
import { ApiProblem, getOrg, getPeople, postLogin, postLogout, postLogoutOthers, postPassword } from '@app/auth/api'
import { afterSyncRuns } from '@app/sync/locks'

/*
 * The login screen needs this store but not the device database or the sync
 * engine: both are loaded on first use (after a login, or at a start with a
 * saved session), so the login page's first download stays small.
 */
const database = () => import('@app/db/database').then((m) => m.db)
const orgStore = () => import('@app/stores/org').then((m) => m.useOrgStore())
const peopleStore = () => import('@app/stores/people').then((m) => m.usePeopleStore())
const syncModule = () => import('@app/stores/sync')
const lockStore = () => import('@app/stores/lock').then((m) => m.useLockStore())

/** Thrown inside the wipe transaction when a record slipped into the outbox (or a reading session started) after the check. */
class StillUnsynced extends Error {
  constructor(
    readonly count: number,
    readonly running: boolean,
  ) {
    super('unsynced records')
  }
}

/** Why logging out was refused: records not yet accepted, and/or a reading session still running (its draft would be wiped). */
export type LogoutRefusal = { ok: false; unsynced: number; running?: true }
export type LogoutResult = { ok: true } | LogoutRefusal

function refusal(unsynced: number, running: boolean): LogoutRefusal {
  return running ? { ok: false, unsynced, running: true } : { ok: false, unsynced }
}

/**
 * A reading session running on this device: a draft until it is finished, so a
 * wipe would lose it. One already saved (its draft's drop was lost) is not
 * running, as the reading store itself decides on load.
 */
async function readingRunning(db: LoudongDB): Promise<boolean> {
  const draft = (await db.drafts.get(RUNNING_KEY))?.value as { id?: unknown } | undefined
  if (!draft) return false
  return typeof draft.id !== 'string' || (await db.records.get(draft.id)) === undefined
}

/** Why the device ended the session by itself, for the notice on the login screen. */
export type EndedBecause = 'disabled' | null

function isAccountDisabled(error: unknown): boolean {
  return error instanceof ApiProblem && error.code === 'account_disabled'
}

/** No answer, or the server failing: worth sending again later (a 401 means the token is already over). */
function worthRetrying(error: unknown): boolean {
  return !(error instanceof ApiProblem) || error.kind === 'network' || error.status >= 500 || error.status === 429
}

/** Remembers `token` to be revoked at the next contact with the server (a logout made offline). */
async function revokeLater(token: string): Promise<void> {
  const db = await database()
  await db.transaction('rw', db.meta, async () => {
    const list = (await db.getMeta('revokeLater')) ?? []
    if (!list.includes(token)) await db.setMeta('revokeLater', [...list, token])
  })
}

let flushing: Promise<void> | null = null

/**
 * Sends the logouts made offline. A token the server ended (or no longer knows) is
 * forgotten; one it could not be told about stays for the next contact. Never throws.
 */
export function flushRevocations(): Promise<void> {
  flushing ??= (async () => {
    try {
      const db = await database()
      for (const token of (await db.getMeta('revokeLater')) ?? []) {
        const done = await postLogout(token).then(
          () => true,
          (e: unknown) => !worthRetrying(e),
        )
        if (!done) continue
        await db.transaction('rw', db.meta, async () => {
          const list = (await db.getMeta('revokeLater')) ?? []
          await db.setMeta('revokeLater', list.filter((x) => x !== token))
        })
      }
    } catch {
      // the device database failing here loses nothing: the list stays for next time
    } finally {
      flushing = null
    }
  })()
  return flushing
}

/**
 * Removes everything personal from the device in one transaction, re-checking the
 * outbox inside it so a record saved a moment ago can never be wiped. The device
 * id stays: it names this phone, not its user. Settings live in localStorage and
 * stay too. `evenUnsynced` is only for a disabled account (a lost phone): then
 * the unsynced records must go as well, because whoever holds the phone is not
 * the person who wrote them. A running reading session counts as unsynced: it
 * is a draft, and the wipe would end it without a record.
 *
 * Waits for a sync run holding the lock to end first, so a page the run is
 * storing cannot land after the wipe; the run's own check (sync/owner.ts)
 * covers the cases without Web Locks.
 */
async function wipePersonalData(opts: { evenUnsynced?: boolean } = {}): Promise<void> {
  const db = await database()
  await afterSyncRuns(() =>
    db.transaction('rw', [db.records, db.outbox, db.org, db.drafts, db.meta], async () => {
      const left = await db.outbox.count()
      // the database is passed in: awaiting its lazy import here would end the transaction
      const running = await readingRunning(db)
      if ((left > 0 || running) && !opts.evenUnsynced) throw new StillUnsynced(left, running)
      await db.outbox.clear()
      await db.records.clear()
      await db.org.clear()
      await db.drafts.clear()
      // the device id names the phone; tokens still to be revoked must outlive the wipe
      await db.meta.where('key').noneOf(['deviceId', 'revokeLater']).delete()
    }),
  )
  // outside the transaction: Cache Storage is not IndexedDB (pipl/caches.ts)
  await clearPersonalCaches().catch(() => 0)
}

export const useSessionStore = defineStore('session', () => {
  /** token and user, mirrored in `db.meta` so the app opens logged in with no network */
  const session = ref<Session | null>(null)
  const user = computed(() => session.value?.user ?? null)
  const loggedIn = computed(() => session.value !== null)
  /** set when the server said this account was disabled and the device wiped itself */
  const endedBecause = ref<EndedBecause>(null)

  /** The sync store, loaded on first use (it reacts to a disabled account itself, see stores/sync.ts). */
  async function syncStore(): Promise<ReturnType<Awaited<ReturnType<typeof syncModule>>['useSyncStore']>> {
    return (await syncModule()).useSyncStore()
  }

  /** Starts syncing (after a start with a saved session); idempotent. */
  async function startSync(): Promise<void> {
    ;(await syncStore()).start()
  }

  /** Reads the saved session; called before the first render. */
  async function load(): Promise<void> {
    const db = await database()
    session.value = (await db.getMeta('session')) ?? null
    if (session.value) await Promise.all([orgStore().then((o) => o.load()), peopleStore().then((p) => p.load())])
    // logouts made offline reach the server at the first contact: now if online, else when the network returns
    void flushRevocations()
  }

  if (typeof window !== 'undefined') window.addEventListener('online', () => void flushRevocations())

  /** Forgets, in memory, what the wipe just removed from the database. */
  async function clearLoaded(): Promise<void> {
    ;(await orgStore()).clear()
    ;(await peopleStore()).clear()
    ;(await lockStore()).reset()
  }

  /** Records not yet accepted by the server. The outbox is the truth; the sync store's counts may lag. */
  async function unsyncedCount(): Promise<number> {
    const [db, sync] = await Promise.all([database(), syncStore()])
    return Math.max(await db.outbox.count(), sync.waiting + sync.attention)
  }

  /** What stops a logout (or another person's login) right now; null when nothing does. */
  async function logoutBlockers(): Promise<LogoutRefusal | null> {
    const [unsynced, running] = await Promise.all([unsyncedCount(), database().then(readingRunning)])
    return unsynced > 0 || running ? refusal(unsynced, running) : null
  }

  /** Words for refusing another person's login while `name`'s work is still only on this phone. */
  function otherUserProblem(name: string, blockers: LogoutRefusal): ApiProblem {
    const words = blockers.unsynced > 0 ? tn('auth.errors.otherUser', blockers.unsynced, { name }) : t('auth.errors.otherUserRunning', { name })
    return new ApiProblem(words, 'http')
  }

  /**
   * Community staff disabled this account (a lost phone): wipe everything
   * personal, unsynced records included, and go back to the login screen.
   */
  async function accountDisabled(): Promise<void> {
    ;(await syncStore()).stop()
    await wipePersonalData({ evenUnsynced: true })
    session.value = null
    await clearLoaded()
    endedBecause.value = 'disabled'
  }

  /**
   * Downloads the user's part of the organisation tree and the names of the people
   * around them, and replaces the local copies. Names are a nicety: when only they
   * fail (no network half way, a server from before /people) the tree is still
   * stored and the names already on the device stay.
   */
  async function refreshOrg(): Promise<void> {
    if (!session.value) return
    const token = session.value.token
    try {
      const [{ nodes }, people] = await Promise.all([
        getOrg(token),
        getPeople(token).catch((e: unknown) => {
          if (isAccountDisabled(e)) throw e
          return null
        }),
      ])
      // logged out or switched user while the answers were on their way: they are someone else's now
      if (session.value?.token !== token) return
      await (await orgStore()).replace(nodes)
      if (people) await (await peopleStore()).replace(people.people)
    } catch (e) {
      if (isAccountDisabled(e)) await accountDisabled()
      throw e
    }
  }

  /** Throws ApiProblem with words for the person on failure. */
  /**
   * Throws ApiProblem with words for the person on failure. Whether it is another
   * person is only known from the server's answer (the user id): a phone typed
   * as "+86 138…" is the same account as the 13800000000 stored.
   */
  async function login(phone: string, password: string): Promise<void> {
    const previous = session.value
    let res: Awaited<ReturnType<typeof postLogin>>
    try {
      res = await postLogin(phone, password)
    } catch (e) {
      // the right password for a disabled account: this device held it, so it wipes itself too
      if (isAccountDisabled(e) && previous && samePhone(previous.user.phone, phone)) await accountDisabled()
      throw e
    }
    const sync = await syncStore()
    if (previous && previous.user.id !== res.user.id) {
      // another person: the previous one's unsynced work would be wiped, so refuse and drop the new token
      const blockers = await logoutBlockers()
      if (blockers) {
        await postLogout(res.token).catch(() => undefined)
        throw otherUserProblem(previous.user.name, blockers)
      }
      sync.stop()
      try {
        await wipePersonalData()
      } catch (e) {
        sync.start()
        await postLogout(res.token).catch(() => undefined)
        if (e instanceof StillUnsynced) throw otherUserProblem(previous.user.name, refusal(e.count, e.running))
        throw e
      }
      await clearLoaded()
    }
    endedBecause.value = null
    // the server answered: any logout made offline can reach it now
    void flushRevocations()
    const next: Session = { token: res.token, user: res.user }
    await (await database()).setMeta('session', next)
    session.value = next
    // a one-time code opens only the password change: the tree and sync follow it (changePassword)
    if (res.user.mustChangePassword) return
    // the tree is needed for the screens but not for being logged in; it is fetched again on the next start
    await refreshOrg().catch(() => undefined)
    // the community's app lock policy (a PIN may be required before the app opens)
    const lock = await lockStore()
    await lock.start().catch(() => undefined)
    await lock.refreshPolicy().catch(() => undefined)
    // idempotent: wires the triggers after a first login and again after a switch (which stopped them)
    sync.start()
    // not awaited: the first download of a big area takes a while, and the screens are usable meanwhile
    // (the shell shows its n of N); the pause is lifted at once, synchronously, inside resume()
    void sync.resume()
  }

  /**
   * Refused while anything is unsynced or a reading session is running: logging
   * out wipes the device, and those records (or that draft) exist nowhere else.
   */
  async function logout(): Promise<LogoutResult> {
    const blockers = await logoutBlockers()
    if (blockers) return blockers
    const sync = await syncStore()
    sync.stop()
    const token = session.value?.token
    // offline (or the server failing), the token is ended at the next contact instead
    if (token) await postLogout(token).catch(async (e: unknown) => (worthRetrying(e) ? revokeLater(token) : undefined))
    try {
      await wipePersonalData()
    } catch (e) {
      if (!(e instanceof StillUnsynced)) throw e
      sync.start()
      return refusal(e.count, e.running)
    }
    session.value = null
    await clearLoaded()
    return { ok: true }
  }

  /**
   * One's own new password (`current` is left out right after logging in with a
   * one-time code). The server ends every other session of the person; this one
   * stays, and the stored user no longer must change its password. Throws ApiProblem.
   */
  async function changePassword(current: string | undefined, next: string): Promise<void> {
    const s = session.value
    if (!s) throw new ApiProblem(t('auth.errors.server'), 'http', 401, 'unauthorized')
    const user = await postPassword(s.token, { ...(current !== undefined ? { current } : {}), next })
    if (session.value?.token !== s.token) return
    const updated: Session = { token: s.token, user }
    await (await database()).setMeta('session', updated)
    session.value = updated
    if (s.user.mustChangePassword) {
      // the first real start of this login: the tree, then sync (both held back until now)
      await refreshOrg().catch(() => undefined)
      const sync = await syncStore()
      sync.start()
      await sync.resume()
    }
  }

  /** Signs out every other device of this person; answers how many were signed out. Throws ApiProblem. */
  async function logoutOthers(): Promise<number> {
    if (!session.value) return 0
    return postLogoutOthers(session.value.token)
  }

  return { session, user, loggedIn, endedBecause, load, login, logout, refreshOrg, accountDisabled, unsyncedCount, logoutBlockers, changePassword, logoutOthers, startSync }
})
