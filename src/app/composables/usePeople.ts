import type { Person } from '@shared/index'
import { usePeopleStore } from '@app/stores/people'
import { useSessionStore } from '@app/stores/session'

/**
 * Who an author id is, as far as this device knows: from the stored people list,
 * or the signed-in user's own session. Undefined when unknown (someone outside the
 * list, or a device that has not fetched it yet), so callers fall back to their words.
 */
export function usePeople() {
  const people = usePeopleStore()
  const session = useSessionStore()

  function personOf(id: string): Person | undefined {
    const known = people.find(id)
    if (known) return known
    const me = session.user
    return me && me.id === id ? { id: me.id, name: me.name, role: me.role } : undefined
  }

  function nameOf(id: string): string | undefined {
    return personOf(id)?.name
  }

  return { personOf, nameOf }
}
