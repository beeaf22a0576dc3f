import type { AnyRecord, LocalRecord } from '@shared/index'

/**
 * The envelope exactly as the server's strict schema expects it: a record that
 * came back through a pull carries seq/serverTime, which must not be sent.
 */
export function toWire(record: AnyRecord): LocalRecord {
  const { id, type, v, orgPath, authorId, deviceId, clientTime, body } = record
  // destructuring loses the link between `type` and `body`; they come from one record
  return { id, type, v, orgPath, authorId, deviceId, clientTime, body } as LocalRecord
}

const encoder = new TextEncoder()

export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length
}
