/**
 * A group leader's ledger, computed on the tablet from what it holds, offline,
 * with the same shared code the server runs (src/shared/ledger.ts).
 */
import { computeLedger, type Ledger, type LedgerPerson } from '@shared/ledger'
import { isUnder } from '@shared/index'
import { db as appDb, type LoudongDB } from '@app/db/database'

/**
 * The ledger of `scope` for `month` from the records and org tree on this
 * device. `people`: leaders with their scopes when known; the device's people
 * list carries no scopes, so without them leaders with no record are not counted
 * (the screen says so).
 */
export async function deviceLedger(scope: string, month: string, now: number, people: readonly LedgerPerson[] = [], db: LoudongDB = appDb): Promise<Ledger> {
  const [records, nodes] = await Promise.all([db.records.toArray(), db.org.toArray()])
  return computeLedger({ records: records.filter((r) => isUnder(r.orgPath, scope)), nodes: nodes.filter((n) => isUnder(n.path, scope)), people, scope, month, now })
}
