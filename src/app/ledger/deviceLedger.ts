/**
 * A group leader's ledger, computed on the tablet from what it holds, offline,
 * with the same shared code the server runs (src/shared/ledger.ts).
 */
import { computeLedger, type Ledger, type LedgerPerson } from '@shared/ledger'
import { isUnder } from '@shared/index'
import { db as appDb, type LoudongDB } from '@app/db/database'

/**
 * The ledger of `scope` for `month` from the records and org tree on this
 * device. `people`: the leaders with their scopes that /people sent (those
 * wholly within this user's scope: `usePeopleStore().leaders()`); leaders with no
 * record are counted among them, as the server does.
 */
export async function deviceLedger(scope: string, month: string, now: number, people: readonly LedgerPerson[] = [], db: LoudongDB = appDb): Promise<Ledger> {
  const [records, nodes] = await Promise.all([db.records.toArray(), db.org.toArray()])
  return computeLedger({ records: records.filter((r) => isUnder(r.orgPath, scope)), nodes: nodes.filter((n) => isUnder(n.path, scope)), people, scope, month, now })
}
