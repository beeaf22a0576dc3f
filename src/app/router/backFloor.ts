import type { RouteLocationNormalizedLoaded, Router } from 'vue-router'

/**
 * Back never drops a person out of the app. The first history entry the app
 * owns (the router's state has no `back`) becomes home, with the screen the
 * person is on pushed above it: Back from any tab's first screen lands on home,
 * and Back on home stays there (home is pushed again over the floor).
 * The floor is laid in the browser history only, without a navigation, so the
 * screen shown is not unmounted and mounted again (a file picked or a word typed
 * in that moment would be lost). Checks the screen shown now, then every
 * navigation; returns the function that removes the hook.
 */
export function installBackFloor(router: Router, home: string): () => void {
  function check(to: RouteLocationNormalizedLoaded): void {
    if (to.meta.public) return
    const history = router.options.history
    const state = history.state as { back?: unknown } | null
    if (state?.back !== null && state?.back !== undefined) return
    history.replace(router.resolve(home).fullPath)
    history.push(to.fullPath)
  }
  check(router.currentRoute.value)
  return router.afterEach((to, _from, failure) => {
    if (!failure) check(to)
  })
}
