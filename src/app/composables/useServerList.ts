import { onMounted, ref, type Ref } from 'vue'
import { isMessageCode, message } from '@shared/index'
import { locale, t } from '@app/i18n'
import type { TransportFailure, TransportResult } from '@app/sync/transport'

/** Locale keys of an online-only list's two failures: no network, and any other refusal. */
export interface ListFailureWords {
  offline: string
  failed: string
}

/**
 * A failed request in the person's words: the offline key when the network failed, the
 * server's own message when it named a known code, else the list's generic failure.
 */
export function failureWords(f: TransportFailure, words: ListFailureWords): string {
  if (f.kind === 'network') return t(words.offline)
  return f.code && isMessageCode(f.code) ? message(f.code, locale.value) : t(words.failed)
}

/**
 * An online-only list read from the server when the screen mounts (the refused and the
 * handed-over records live on the server): `items` from `pick(data)`, `loading` while
 * asking, `problem` in words when it failed (the last items stay), `load` to ask again.
 */
export function useServerList<D, T>(
  fetch: () => Promise<TransportResult<D>>,
  pick: (data: D) => T[],
  words: ListFailureWords,
): { items: Ref<T[]>; loading: Ref<boolean>; problem: Ref<string>; load: () => Promise<void> } {
  const items = ref<T[]>([]) as Ref<T[]>
  const loading = ref(true)
  const problem = ref('')
  async function load(): Promise<void> {
    loading.value = true
    const res = await fetch()
    loading.value = false
    if (res.kind === 'ok') {
      items.value = pick(res.data)
      problem.value = ''
    } else problem.value = failureWords(res, words)
  }
  onMounted(load)
  return { items, loading, problem, load }
}
