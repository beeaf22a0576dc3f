/**
 * The records file: what "导出未同步记录" writes and "导入记录" reads. Plain JSON
 * so it survives being sent through WeChat or copied by hand. Bump
 * EXPORT_VERSION only with a reader for the older version next to it.
 */
import type { AnyRecord } from '@shared/index'

export const EXPORT_FORMAT = 'loudong.records'
export const EXPORT_VERSION = 1

export interface ExportFile {
  format: typeof EXPORT_FORMAT
  version: number
  /** device clock when written */
  exportedAt: string
  /** whose records: only this user may import them */
  userId: string
  /** shown when someone else tries to import the file */
  userName: string
  /** the phone that wrote the file */
  deviceId: string
  /** unsynced: only what the server has not accepted; mine: everything this user wrote on this phone, too */
  scope: 'unsynced' | 'mine'
  /** envelopes as stored; a record with `seq` was already accepted by the server */
  records: AnyRecord[]
}

/** `loudong-20240501-0830.json`, in the device's local time, which people read. */
export function exportFileName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `loudong-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}.json`
}
