import { ref } from 'vue'
import type { ActionResult } from '@app/stores/reading'

/**
 * The one line that says why the last tap did nothing ("同一户…只能登记一次").
 * It stays until the next successful action, so a slow reader does not miss it.
 */
const text = ref('')

export function useNotice() {
  async function report(result: ActionResult | Promise<ActionResult>): Promise<boolean> {
    const r = await result
    text.value = r.ok ? '' : r.text
    return r.ok
  }
  function clear(): void {
    text.value = ''
  }
  return { text, report, clear }
}
