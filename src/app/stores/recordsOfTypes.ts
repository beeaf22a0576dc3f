import type { AnyRecord, RecordType } from '@shared/index'
import { db } from '@app/db/database'

/**
 * Every record of these types on the device, in the order
 * `where('type').anyOf(types)` gives (by type, then id), read with one getAll
 * per type: anyOf walks a cursor, one task per record, and the stores' live
 * queries run it again after every change to those types.
 */
export async function recordsOfTypes(types: readonly RecordType[]): Promise<AnyRecord[]> {
  const sorted = [...new Set(types)].sort()
  const parts = await Promise.all(sorted.map((type) => db.records.where('type').equals(type).toArray()))
  return parts.flat()
}
