/**
 * The app lock on the device: the PIN is kept only as a salted hash and unlocks only
 * when right; the idle time (also across a restart) locks; the community's policy can
 * require a PIN; too long without the server locks until a sync; and the logout wipe
 * clears Cache Storage entries that could hold API answers.
 */
import 'fake-indexeddb/auto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { db } from '@app/db/database'
import { OFFLINE_LOCK_DAYS, offlineTooLong, strictestPolicy } from '@shared/appLock'

const sync = reactive({ lastSyncAt: null as number | null, waiting: 0, attention: 0, start: vi.fn(), stop: vi.fn(), resume: vi.fn(async () => undefined), syncNow: vi.fn(async () => undefined) })
vi.mock('@app/stores/sync', () => ({ useSyncStore: () => sync }))

const { useLockStore } = await import('@app/stores/lock')
const { useSessionStore } = await import('@app/stores/session')
const { checkPin, setPin } = await import('@app/pipl/pin')
const { clearPersonalCaches } = await import('@app/pipl/caches')

const DAY = 24 * 60 * 60 * 1000

beforeEach(async () => {
  setActivePinia(createPinia())
  await db.meta.clear()
  await db.setMeta('session', { token: 'tok', user: { id: 'u1', name: '王秀英', phone: '13800000001', role: 'building_leader', scopes: ['pl/a/b/g01/b01'] } })
  await useSessionStore().load()
  sync.lastSyncAt = null
})
afterEach(() => {
  vi.useRealTimers()
})

describe('PIN', () => {
  it('is stored as a salted hash, never as typed, and checks only the right digits', async () => {
    await setPin(db, '482913')
    const stored = await db.getMeta('pin')
    expect(JSON.stringify(stored)).not.toContain('482913')
    expect(stored!.salt).toMatch(/^[0-9a-f]{32}$/)
    expect(await checkPin(db, '482913')).toBe(true)
    expect(await checkPin(db, '482914')).toBe(false)
    await expect(setPin(db, '12a4')).rejects.toThrow(RangeError)
    await expect(setPin(db, '123')).rejects.toThrow(RangeError)
  })
})

describe('lock store', () => {
  it('locks at a start after the idle time, unlocks with the PIN only, and locks again after idle minutes', async () => {
    await setPin(db, '2468')
    await db.setMeta('lastActiveAt', Date.now() - 10 * 60_000)
    const lock = useLockStore()
    await lock.start()
    expect(lock.pinLocked).toBe(true)
    expect(lock.locked).toBe(true)
    expect(await lock.unlock('1357')).toBe(false)
    expect(lock.locked).toBe(true)
    expect(await lock.unlock('2468')).toBe(true)
    expect(lock.locked).toBe(false)

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6 * 60_000 })
    lock.tick()
    expect(lock.pinLocked).toBe(true)
  })

  it('a start within the idle time stays open; without a PIN nothing locks unless the community requires one', async () => {
    await setPin(db, '2468')
    await db.setMeta('lastActiveAt', Date.now() - 60_000)
    const lock = useLockStore()
    await lock.start()
    expect(lock.locked).toBe(false)

    setActivePinia(createPinia())
    await useSessionStore().load()
    await db.meta.delete('pin')
    await db.setMeta('appLock', { required: true, idleMinutes: 3 })
    const required = useLockStore()
    await required.start()
    expect(required.mustSetPin).toBe(true)
    expect(required.locked).toBe(true)
    await required.choosePin('1122')
    expect(required.locked).toBe(false)
    // a required PIN cannot be removed
    await required.removePin()
    expect(required.pinSet).toBe(true)
  })

  it(`locks after ${OFFLINE_LOCK_DAYS} days without a completed sync, until one completes`, async () => {
    const lock = useLockStore()
    await lock.start()
    sync.lastSyncAt = Date.now() - (OFFLINE_LOCK_DAYS - 1) * DAY
    lock.tick()
    expect(lock.offlineLocked).toBe(false)
    sync.lastSyncAt = Date.now() - (OFFLINE_LOCK_DAYS + 1) * DAY
    lock.tick()
    expect(lock.offlineLocked).toBe(true)
    expect(lock.locked).toBe(true)
    sync.lastSyncAt = Date.now()
    lock.tick()
    expect(lock.locked).toBe(false)
    expect(offlineTooLong(undefined, Date.now())).toBe(false)
  })

  it('takes the strictest policy of several communities', () => {
    expect(strictestPolicy([{ required: false, idleMinutes: 10 }, { required: true, idleMinutes: 3 }])).toEqual({ required: true, idleMinutes: 3 })
  })
})

describe('cache hygiene', () => {
  it('clears every cache but the precache, and /api entries inside the precache', async () => {
    const entries = new Map<string, Map<string, Response>>([
      ['workbox-precache-v2-https://x/', new Map([['https://x/index.html', new Response('')], ['https://x/api/v1/sync/pull', new Response('{}')]])],
      ['api-answers', new Map([['https://x/api/v1/org', new Response('{}')]])],
    ])
    const storage = {
      keys: async () => [...entries.keys()],
      delete: async (name: string) => entries.delete(name),
      open: async (name: string) => {
        const c = entries.get(name)!
        return { keys: async () => [...c.keys()].map((u) => new Request(u)), delete: async (r: Request) => c.delete(r.url) }
      },
    } as unknown as CacheStorage
    expect(await clearPersonalCaches(storage)).toBe(2)
    expect([...entries.keys()]).toEqual(['workbox-precache-v2-https://x/'])
    expect([...entries.get('workbox-precache-v2-https://x/')!.keys()]).toEqual(['https://x/index.html'])
    expect(await clearPersonalCaches(undefined)).toBe(0)
  })
})
