// @vitest-environment jsdom
import 'fake-indexeddb/auto'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { reactive } from 'vue'
import { createPinia, setActivePinia } from 'pinia'

const sync = reactive({ waiting: 0, attention: 0, paused: null as 'login' | null, start: vi.fn(), stop: vi.fn(), resume: vi.fn() })
vi.mock('@app/stores/sync', () => ({ useSyncStore: () => sync }))

const { router, routes } = await import('@app/router')
const { useSessionStore } = await import('@app/stores/session')

/* the guard is what is under test; screens themselves need not load */
for (const r of router.getRoutes()) if (r.components) r.components.default = { render: () => null }

function logIn(): void {
  useSessionStore().session = { token: 't', user: { id: 'u1', name: '王', phone: '13800000001', role: 'building_leader', scopes: [] } }
}

beforeEach(async () => {
  setActivePinia(createPinia())
  sync.paused = null
  await router.replace('/login').catch(() => undefined)
})

describe('router', () => {
  it('collects every area route module, including the shell tabs', () => {
    const paths = routes.map((r) => r.path)
    for (const p of ['/login', '/feedback', '/reading', '/me']) expect(paths).toContain(p)
  })

  it('sends someone not logged in to the login screen', async () => {
    await router.push('/me')
    expect(router.currentRoute.value.path).toBe('/login')
  })

  it('sends a logged-in person away from the login screen to home', async () => {
    logIn()
    await router.push('/')
    await router.push('/login')
    expect(router.currentRoute.value.path).not.toBe('/login')
    expect(router.currentRoute.value.meta.tab).toBeDefined()
  })

  it('lets a logged-in person log in again when their login expired', async () => {
    logIn()
    await router.push('/me')
    sync.paused = 'login'
    await router.push('/login')
    expect(router.currentRoute.value.path).toBe('/login')
  })
})
