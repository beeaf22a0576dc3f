import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { hasUnsavedChanges, useUnsavedGuard } from '@app/composables/useUnsavedGuard'
import { useUpdatePrompt } from '@app/pwa/useUpdatePrompt'

const needRefresh = ref(false)
const updateServiceWorker = vi.fn(async () => undefined)
const reload = vi.fn()

function prompt() {
  return useUpdatePrompt({ needRefresh, updateServiceWorker }, reload)
}

/** A form on screen holding typed text, as a component would register it. */
function openForm(dirty: boolean) {
  const scope = effectScope()
  scope.run(() => useUnsavedGuard(() => dirty))
  return () => scope.stop()
}

beforeEach(() => {
  vi.useFakeTimers()
  needRefresh.value = true
  updateServiceWorker.mockClear()
  reload.mockClear()
})
afterEach(() => vi.useRealTimers())

describe('update prompt', () => {
  it('does nothing until the person taps 刷新', () => {
    prompt()
    vi.advanceTimersByTime(24 * 60 * 60 * 1000)
    expect(updateServiceWorker).not.toHaveBeenCalled()
    expect(reload).not.toHaveBeenCalled()
  })

  it('asks first when a form holds unsaved text, and only updates once confirmed', async () => {
    const close = openForm(true)
    const p = prompt()
    p.tapRefresh()
    expect(p.confirming.value).toBe(true)
    expect(updateServiceWorker).not.toHaveBeenCalled()
    await p.refresh()
    expect(updateServiceWorker).toHaveBeenCalledOnce()
    p.onNeedReload()
    expect(reload).toHaveBeenCalledOnce()
    close()
  })

  it('updates straight away when nothing is unsaved; a form that left stops counting', async () => {
    const close = openForm(true)
    close()
    expect(hasUnsavedChanges.value).toBe(false)
    const p = prompt()
    p.tapRefresh()
    expect(p.confirming.value).toBe(false)
    await vi.waitFor(() => expect(updateServiceWorker).toHaveBeenCalledOnce())
  })

  it('when another tab activated the new version, shows the bar instead of reloading under a form', async () => {
    needRefresh.value = false
    const p = prompt()
    p.onNeedReload()
    expect(reload).not.toHaveBeenCalled()
    expect(needRefresh.value).toBe(true)
    await p.refresh()
    expect(reload).toHaveBeenCalledOnce()
    expect(updateServiceWorker).not.toHaveBeenCalled()
  })
})
