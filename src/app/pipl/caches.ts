/**
 * What a logout or an account-disabled wipe clears besides the database (which
 * session.ts empties): Cache Storage. The service worker caches only the app shell
 * (precache) and never /api answers, but a cache left by an older build, or an
 * API answer that reached a cache some other way, would keep residents' data on
 * the phone: every cache that is not the current precache is deleted, and in the
 * precache every entry under /api/. Where Cache Storage is missing (an old
 * browser, http) there is nothing to clear. Returns how many caches and entries went.
 */
export async function clearPersonalCaches(storage: CacheStorage | undefined = globalThis.caches): Promise<number> {
  if (!storage) return 0
  let gone = 0
  for (const name of await storage.keys()) {
    if (!name.startsWith('workbox-precache')) {
      if (await storage.delete(name)) gone++
      continue
    }
    const cache = await storage.open(name)
    for (const req of await cache.keys()) {
      if (new URL(req.url).pathname.startsWith('/api/') && (await cache.delete(req))) gone++
    }
  }
  return gone
}
