import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ROLES, type Person } from '@shared/index'
import type { LedgerPerson } from '@shared/ledger'
import { db } from '@app/db/database'

/** Keeps only well-formed entries: the list comes over the network and is shown as text. */
function wellFormed(list: unknown): Person[] {
  if (!Array.isArray(list)) return []
  const out: Person[] = []
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue
    const { id, name, role, scopes } = item as Record<string, unknown>
    // copied field by field: whatever else a server might add is not kept
    if (typeof id !== 'string' || typeof name !== 'string' || !name.trim() || !(ROLES as readonly unknown[]).includes(role)) continue
    const person: Person = { id, name, role: role as Person['role'] }
    // a leader's scopes (within this user's), for the tablet's leaders with no record
    if (Array.isArray(scopes) && scopes.length && scopes.every((s) => typeof s === 'string')) person.scopes = [...(scopes as string[])]
    out.push(person)
  }
  return out
}

/**
 * Names and roles of the people whose scopes meet this user's, kept on the device
 * (`db.meta` key `people`) so a timeline can name who acted with no network.
 */
export const usePeopleStore = defineStore('people', () => {
  /** everyone this device can name, by user id */
  const byId = ref<Map<string, Person>>(new Map())

  async function load(): Promise<void> {
    byId.value = new Map(wellFormed(await db.getMeta('people')).map((p) => [p.id, p]))
  }

  /**
   * Replaces the stored list. Anything but a list (a server from before /people
   * answered something else) keeps the names already here.
   */
  async function replace(list: unknown): Promise<void> {
    if (!Array.isArray(list)) return
    const people = wellFormed(list)
    await db.setMeta('people', people)
    byId.value = new Map(people.map((p) => [p.id, p]))
  }

  function clear(): void {
    byId.value = new Map()
  }

  function find(id: string): Person | undefined {
    return byId.value.get(id)
  }

  /** Building and group leaders whose scopes came with the list (all within this user's), for the tablet's ledger. */
  function leaders(): LedgerPerson[] {
    return [...byId.value.values()].flatMap((p) => (p.scopes ? [{ id: p.id, name: p.name, role: p.role, scopes: p.scopes }] : []))
  }

  return { byId, load, replace, clear, find, leaders }
})
