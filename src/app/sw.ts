/// <reference lib="webworker" />
/**
 * The service worker: the whole app shell and every lazy chunk are precached, so
 * the app opens in a stairwell with no signal. The exceptions (pwa/lazyChunks.ts:
 * ECharts and screens that only work online) are cached the first time
 * they are fetched, so phones do not install what they cannot use offline. Updates wait for the person to tap
 * 刷新 (see pwa/PwaUpdatePrompt.vue); nothing here forces a reload.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { clientsClaim } from 'workbox-core'
import { CacheFirst } from 'workbox-strategies'
import { ExpirationPlugin } from 'workbox-expiration'
import { SYNC_TAG, runBackgroundSync } from './sync/background'
import { LAZY_ASSET } from './pwa/lazyChunks'

declare const self: ServiceWorkerGlobalScope

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

/*
 * Any in-app URL opened directly (a bookmark, a reload on /me) gets the precached
 * shell. /api is denied here and has no runtime route at all: personal data is
 * never put in a cache, and a stale API answer would be worse than "offline".
 */
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//] }))

// the chart chunk (content-hashed name, so never stale): from the cache once fetched; only the newest kept
registerRoute(
  ({ url }) => url.origin === self.location.origin && /^\/assets\/echarts-[\w-]+\.js$/.test(url.pathname),
  new CacheFirst({ cacheName: 'loudong-charts', plugins: [new ExpirationPlugin({ maxEntries: 1 })] }),
)
// the other chunks left out of the precache (online-only screens): the same, a few builds' worth kept
registerRoute(
  ({ url }) => url.origin === self.location.origin && LAZY_ASSET.test(url.pathname) && !url.pathname.startsWith('/assets/echarts-'),
  new CacheFirst({ cacheName: 'loudong-lazy', plugins: [new ExpirationPlugin({ maxEntries: 30 })] }),
)

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: string } | null
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting()
})

// Taking control only matters on first install (no page is running old code yet);
// an update only activates after skipWaiting, i.e. after the person tapped 刷新.
clientsClaim()

// ─── BACKGROUND SYNC ──────────────────────────────────────────────────────────
// Records saved just before the page closed still go out: the page registers
// SYNC_TAG after a save and the browser fires this when the network is back.
interface SyncEvent extends ExtendableEvent {
  readonly tag: string
}

self.addEventListener('sync', (event) => {
  const e = event as SyncEvent
  if (e.tag === SYNC_TAG) e.waitUntil(runBackgroundSync())
})
