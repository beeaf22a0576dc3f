import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { Session } from '@app/db/schema'
import { db } from '@app/db/database'
import { t } from '@app/i18n'
import { ApiProblem, getOrg, getPeople, postLogin, postLogout } from '@app/auth/api'
import { useOrgStore } from '@app/stores/org'
import { usePeopleStore } from '@app/stores/people'
import { useSyncStore } from '@app/stores/sync'

/** Thrown inside the wipe transaction when a record slipped into the outbox after the check. */
class StillUnsynced extends Error {
  constructor(readonly count: number) {
    super('unsynced records')
  }
}

export type LogoutResult = { ok: true } | { ok: false; unsynced: number }

/** Why the device ended the session by itself, for the notice on the login screen. */
export type EndedBecause = 'disabled' | null

function isAccountDisabled(error: unknown): boolean {
  return error instanceof ApiProblem && error.code === 'account_disabled'
}

/**
 * Removes everything personal from the device in one transaction, re-checking the
 * outbox inside it so a record saved a moment ago can never be wiped. The device
 * id stays: it names this phone, not its user. Settings live in localStorage and
 * stay too. `evenUnsynced` is only for a disabled account (a lost phone): then
 * the unsynced records must go as well, because whoever holds the phone is not
 * the person who wrote them.
 */
async function wipePersonalData(opts: { evenUnsynced?: boolean } = {}): Promise<void> {
  await db.transaction('rw', [db.records, db.outbox, db.org, db.drafts, db.meta], async () => {
    const left = await db.outbox.count()
    if (left > 0 && !opts.evenUnsynced) throw new StillUnsynced(left)
    await db.outbox.clear()
    await db.records.clear()
    await db.org.clear()
    await db.drafts.clear()
    await db.meta.where('key').notEqual('deviceId').delete()
  })
}

export const useSessionStore = defineStore('session', () => {
  /** token and user, mirrored in `db.meta` so the app opens logged in with no network */
  const session = ref<Session | null>(null)
  const user = computed(() => session.value?.user ?? null)
  const loggedIn = computed(() => session.value !== null)
  /** set when the server said this account was disabled and the device wiped itself */
  const endedBecause = ref<EndedBecause>(null)

  /** Reads the saved session; called before the first render. */
  async function load(): Promise<void> {
    session.value = (await db.getMeta('session')) ?? null
    if (session.value) await Promise.all([useOrgStore().load(), usePeopleStore().load()])
  }

  /** Forgets, in memory, what the wipe just removed from the database. */
  function clearLoaded(): void {
    useOrgStore().clear()
    usePeopleStore().clear()
  }

  /** Records not yet accepted by the server. The outbox is the truth; the sync store's counts may lag. */
  async function unsyncedCount(): Promise<number> {
    const sync = useSyncStore()
    return Math.max(await db.outbox.count(), sync.waiting + sync.attention)
  }

  /**
   * Community staff disabled this account (a lost phone): wipe everything
   * personal, unsynced records included, and go back to the login screen.
   */
  async function accountDisabled(): Promise<void> {
    useSyncStore().stop()
    await wipePersonalData({ evenUnsynced: true })
    session.value = null
    clearLoaded()
    endedBecause.value = 'disabled'
  }

  // any sync run that hears 403 account_disabled ends here
  watch(
    () => useSyncStore().state,
    (state) => {
      if (state === 'disabled' && session.value) void accountDisabled()
    },
  )

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
      await useOrgStore().replace(nodes)
      if (people) await usePeopleStore().replace(people.people)
    } catch (e) {
      if (isAccountDisabled(e)) await accountDisabled()
      throw e
    }
  }

  /** Throws ApiProblem with words for the person on failure. */
  async function login(phone: string, password: string): Promise<void> {
    const previous = session.value
    if (previous && previous.user.phone !== phone) {
      const n = await unsyncedCount()
      if (n > 0) throw new ApiProblem(t('auth.errors.otherUser', { n, name: previous.user.name }), 'http')
    }
    let res: Awaited<ReturnType<typeof postLogin>>
    try {
      res = await postLogin(phone, password)
    } catch (e) {
      // the right password for a disabled account: this device held it, so it wipes itself too
      if (isAccountDisabled(e) && previous?.user.phone === phone) await accountDisabled()
      throw e
    }
    endedBecause.value = null
    const sync = useSyncStore()
    if (previous && previous.user.id !== res.user.id) {
      sync.stop()
      await wipePersonalData()
      clearLoaded()
    }
    const next: Session = { token: res.token, user: res.user }
    await db.setMeta('session', next)
    session.value = next
    // the tree is needed for the screens but not for being logged in; it is fetched again on the next start
    await refreshOrg().catch(() => undefined)
    if (!previous) sync.start()
    await sync.resume()
  }

  /** Refused while anything is unsynced: logging out wipes the device, and those records exist nowhere else. */
  async function logout(): Promise<LogoutResult> {
    const unsynced = await unsyncedCount()
    if (unsynced > 0) return { ok: false, unsynced }
    const sync = useSyncStore()
    sync.stop()
    const token = session.value?.token
    if (token) await postLogout(token).catch(() => undefined)
    try {
      await wipePersonalData()
    } catch (e) {
      if (!(e instanceof StillUnsynced)) throw e
      sync.start()
      return { ok: false, unsynced: e.count }
    }
    session.value = null
    clearLoaded()
    return { ok: true }
  }

  return { session, user, loggedIn, endedBecause, load, login, logout, refreshOrg, accountDisabled, unsyncedCount }
})
