import { watch, type Ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'

/** The query key that marks an open sheet or in-place form in the history. */
export const LAYER_KEY = 'open'

/**
 * Back closes an open sheet or in-place form before it leaves the screen.
 * Opening pushes the same screen with `?open=<name>`; Back pops it, and the
 * watcher closes the layer. Closing it any other way (×, cancel, save) goes
 * back over that entry, so the history holds no dead step. The router keeps
 * the scroll position when only the query changes (router/index.ts).
 */
export function useBackCloses(name: string, isOpen: Ref<boolean>, close: () => void): void {
  const route = useRoute()
  const router = useRouter()
  const marked = () => route.query[LAYER_KEY] === name

  watch(isOpen, (open) => {
    if (open && !marked()) void router.push({ query: { ...route.query, [LAYER_KEY]: name } })
    else if (!open && marked()) router.back()
  })
  watch(
    () => route.query[LAYER_KEY],
    // only a step back over our own marker closes: a layer opened before its marker landed stays open
    (now, before) => {
      if (isOpen.value && before === name && now !== name) close()
    },
  )
}
