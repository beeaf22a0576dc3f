import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { HOME, router } from './router'
import { useSettingsStore } from './stores/settings'
import { useSessionStore } from './stores/session'
import { hasSavedSession } from './db/savedSession'
import { captureInstallPrompt } from './pwa/install'
import { setFaultWords } from './db/faults'
import { t } from './i18n'
import './styles/base.css'
import './styles/vant-theme.css'

// before anything async: the browser offers installation once, early
captureInstallPrompt()
// a failed save explains itself in the chosen language (the service worker keeps the Chinese default)
setFaultWords((key) => t(key === 'storageFull' ? 'safety.storageFull.message' : 'safety.databaseLost'))

/**
 * Calls the lazy loader of the screen the address names (the home screen for
 * `/`, the login screen when no session is saved and the screen needs one):
 * the module is then already on its way when the router asks for it (the same
 * import, so it is fetched once). A failure is left for the router, which
 * reports it when it loads the screen itself.
 */
function preloadFirstScreen(saved: boolean): void {
  let target = router.resolve(location.pathname + location.search)
  if (target.matched[0]?.redirect !== undefined) target = router.resolve(HOME)
  if (!saved && !target.meta.public) target = router.resolve('/login')
  for (const record of target.matched) {
    for (const component of Object.values(record.components ?? {})) {
      // a lazy route component is a function returning the import; our screens are objects once loaded
      if (typeof component === 'function') void (component as () => Promise<unknown>)().catch(() => undefined)
    }
  }
}

async function boot(): Promise<void> {
  const app = createApp(App)
  app.use(createPinia())

  // language and text size first, so the first paint is already in the right words and size
  // (English, when chosen, is a chunk of its own: it loads alongside the session)
  const settings = useSettingsStore()
  const words = settings.load()

  // the saved session decides the first screen; with it the app opens logged in, offline or not.
  // Whether there is one is read without Dexie: the login page never loads the device database.
  const saved = await hasSavedSession()
  // the first screen's code starts loading now, alongside reading the session, instead of after it
  preloadFirstScreen(saved)

  const session = useSessionStore()
  try {
    if (saved) await session.load()
  } catch {
    // IndexedDB unavailable (private mode on some browsers): start at the login screen
  }

  await words
  app.use(router)
  // a first screen whose code failed to load (after a deploy) has been handled by router.onError:
  // mount anyway, so the person sees the shell and a message rather than a blank page
  await router.isReady().catch(() => undefined)
  // the app lock reads its PIN, policy and last touch before anyone sees a screen
  const lock = session.loggedIn ? await import('./stores/lock').then((m) => m.useLockStore()) : null
  await lock?.start().catch(() => undefined)
  app.mount('#app')

  // a one-time code's login syncs nothing until a password of one's own is chosen (the server would refuse)
  if (session.loggedIn && !session.user?.mustChangePassword) {
    void session.startSync()
    // keep the tree fresh; offline this quietly fails and the stored copy stays
    void session.refreshOrg().catch(() => undefined)
    void lock?.refreshPolicy().catch(() => undefined)
  }
}

void boot()
