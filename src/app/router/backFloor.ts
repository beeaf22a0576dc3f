import type { RouteLocationNormalizedLoaded, Router } from 'vue-router'

/**
 * Back never drops a person out of the app. The first history entry the app
 * owns (the router's state has no `back`) becomes home, with the screen the
 * person is on pushed above it: Back from any tab's first screen lands on home,
 * and Back on home stays there (home is pushed again over the floor).
 * Checks the screen shown now, then every navigation; returns the function
 * that removes the hook.
 */
export function installBackFloor(router: Router, home: string): () => void {
  /** while the floor is being laid, its own two navigations are not checked again */
  let laying = false
  function check(to: RouteLocationNormalizedLoaded): void {
    if (laying || to.meta.public) return
    const state = router.options.history.state as { back?: unknown } | null
    if (state?.back !== null && state?.back !== undefined) return
    laying = true
    void router
      .replace(home)
      .then(() => router.push({ path: to.path, query: to.query, hash: to.hash, force: true }))
      .finally(() => (laying = false))
  }
  check(router.currentRoute.value)
  return router.afterEach((to, _from, failure) => {
    if (!failure) check(to)
  })
}
