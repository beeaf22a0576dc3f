import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@app/stores/session'
import { handleChunkFailure } from './chunkReload'
import './types'
import { VOLUNTEER_TABS } from '@app/components/layout/tabs'

/** Each area adds its screens as `routes/<area>.ts` with a default-exported array. */
const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./routes/*.ts', { eager: true })

const areaRoutes = Object.values(modules).flatMap((m) => m.default)

/** 走访 is home; if that area is missing from a build, 我的 keeps the app usable instead of redirecting in a loop. */
export const HOME = areaRoutes.some((r) => r.path === '/visits') ? '/visits' : '/me'

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: HOME },
  ...areaRoutes,
  { path: '/:unknown(.*)*', redirect: HOME },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  // only the query changed (a sheet or form opened or closed, composables/useBackCloses.ts): stay where the person is
  scrollBehavior: (to, from, saved) => saved ?? (to.path === from.path ? false : { top: 0 }),
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  if (!to.meta.public && !session.loggedIn) return { path: '/login', replace: true }
  // logged in with a one-time code: choose a password of one's own before anything else
  if (!to.meta.public && session.user?.mustChangePassword && to.name !== 'me-password') return { name: 'me-password', replace: true }
  // a volunteer account has its page, the wall and 我的; the leaders' screens are not theirs
  if (session.user?.role === 'volunteer' && to.meta.tab && !VOLUNTEER_TABS.includes(to.meta.tab) && !to.path.startsWith('/wishes')) return { path: '/volunteers', replace: true }
  if (!to.meta.public) return true
  // a logged-in person only sees the login screen again when their login expired
  // (the sync store is loaded only then: someone logged out never needs it here)
  if (to.path === '/login' && session.loggedIn) {
    const { useSyncStore } = await import('@app/stores/sync')
    if (useSyncStore().paused !== 'login') return { path: HOME, replace: true }
  }
  return true
})

// a screen's code went missing after a deploy: reload once into the new build
router.onError((error) => {
  handleChunkFailure(error)
})
