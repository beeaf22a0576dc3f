/**
 * What the server hands the shared ledger code: every record under a scope,
 * the org tree beneath it and the leaders working there, through the storage
 * interface (so it runs on every backend).
 */
import type { Storage } from '../storage'
import type { OrgNode } from '../../shared/org'
import type { StoredRecord } from '../../shared/records'
import type { LedgerPerson } from '../../shared/ledger'

const PAGE = 20_000

/** Every stored record under `scope`, in seq order. */
export function recordsUnder(storage: Storage, scope: string): StoredRecord[] {
  const out: StoredRecord[] = []
  let after = 0
  for (;;) {
    const page = storage.records.pull([scope], after, PAGE)
    for (const r of page.records) out.push(r)
    const last = page.records[page.records.length - 1]
    if (!page.more || !last) return out
    after = last.seq
  }
}

/** Enabled people whose scopes meet `scope`, with their scopes (for leaders without records). */
export function peopleUnder(storage: Storage, scope: string): LedgerPerson[] {
  const people: LedgerPerson[] = []
  for (const p of storage.users.overlapping([scope])) {
    const u = storage.users.byId(p.id)
    if (u) people.push({ id: u.id, name: u.name, role: u.role, scopes: u.scopes })
  }
  return people
}

export interface LedgerSource {
  records: StoredRecord[]
  nodes: OrgNode[]
  people: LedgerPerson[]
  /** author id → name, for the detailed sheets */
  names: Map<string, string>
}

export function loadLedgerSource(storage: Storage, scope: string): LedgerSource {
  const people = peopleUnder(storage, scope)
  return {
    records: recordsUnder(storage, scope),
    nodes: storage.org.subtree(scope),
    people,
    names: new Map(people.map((p) => [p.id, p.name])),
  }
}
