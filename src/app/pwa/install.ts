import { computed, reactive, ref, shallowRef } from 'vue'

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

const deferred = shallowRef<BeforeInstallPromptEvent | null>(null)
const standalone = ref(false)
const installed = ref(false)

function detectStandalone(): boolean {
  return window.matchMedia?.('(display-mode: standalone)').matches || (navigator as { standalone?: boolean }).standalone === true
}

/** iOS has no install prompt; people add the page themselves from Safari's share sheet. */
function detectIosSafari(): boolean {
  const ua = navigator.userAgent
  const ios = /iPad|iPhone|iPod/.test(ua) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1)
  return ios && /Safari/.test(ua) && !/CriOS|FxiOS|EdgiOS|MicroMessenger/.test(ua)
}

/**
 * Must run before the app mounts: Chrome fires `beforeinstallprompt` once, early,
 * and a listener added later misses it.
 */
export function captureInstallPrompt(): void {
  standalone.value = detectStandalone()
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault()
    deferred.value = e as BeforeInstallPromptEvent
  })
  window.addEventListener('appinstalled', () => {
    deferred.value = null
    installed.value = true
  })
  window.matchMedia?.('(display-mode: standalone)').addEventListener?.('change', () => {
    standalone.value = detectStandalone()
  })
}

async function prompt(): Promise<void> {
  const e = deferred.value
  if (!e) return
  // the event can be used once; Chrome fires a fresh one if the person declines
  deferred.value = null
  await e.prompt()
  if ((await e.userChoice).outcome === 'accepted') installed.value = true
}

/**
 * A computer rather than a phone or tablet: the main pointer is a mouse and no
 * touch screen is at hand, so there is no home screen to speak of.
 */
export function onDesk(): boolean {
  const mq = (q: string) => globalThis.matchMedia?.(q).matches ?? false
  return mq('(pointer: fine)') && !mq('(any-pointer: coarse)')
}

export function usePwaInstall() {
  const iosHint = computed(() => !standalone.value && !installed.value && detectIosSafari())
  const canPrompt = computed(() => !!deferred.value && !standalone.value && !installed.value)
  return reactive({
    canPrompt,
    iosHint,
    installed: computed(() => installed.value),
    /** something to show: a button, a hint, or the word that it is done */
    offered: computed(() => canPrompt.value || iosHint.value || installed.value),
    prompt,
  })
}
