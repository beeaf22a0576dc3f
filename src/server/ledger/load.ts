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
export async function recordsUnder(storage: Storage, scope: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = []
  let after = 0
  for (;;) {
    const page = await storage.records.pull([scope], after, PAGE)
    for (const r of page.records) out.push(r)
    const last = page.records[page.records.length - 1]
    if (!page.more || !last) return out
    after = last.seq
  }
}

/** Enabled people whose scopes meet `scope`, with their scopes (for leaders without records). */
export async function peopleUnder(storage: Storage, scope: string): Promise<LedgerPerson[]> {
  const people: LedgerPerson[] = []
  for (const p of await storage.users.overlapping([scope])) {
    const u = await storage.users.byId(p.id)
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

/**
 * What an export's detailed sheets read for `scope` and `month`: the records
 * `LedgerStore.sheetRecords` finds through the summaries (the month's visits,
 * sessions and feedback with their amendments, profiles, volunteers and
 * wishes), not the whole log; the org tree and the people under the scope.
 */
export async function loadSheetSource(storage: Storage, scope: string, month: string): Promise<LedgerSource> {
  const [people, records, nodes] = await Promise.all([peopleUnder(storage, scope), storage.ledger.sheetRecords(scope, month), storage.org.subtree(scope)])
  return { records, nodes, people, names: new Map(people.map((p) => [p.id, p.name])) }
}

/** Every record under `scope` with the org tree and people (a full fold; tests compare with it). */
export async function loadLedgerSource(storage: Storage, scope: string): Promise<LedgerSource> {
  const [people, records, nodes] = await Promise.all([peopleUnder(storage, scope), recordsUnder(storage, scope), storage.org.subtree(scope)])
  return {
    records,
    nodes,
    people,
    names: new Map(people.map((p) => [p.id, p.name])),
  }
}
