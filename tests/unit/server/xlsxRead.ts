/**
 * Reading back the `.xlsx` files the server writes: every sheet's rows with
 * typed values (read-excel-file), a cell by its Excel address, and the raw XML
 * of a part (formats, print set-up, frozen panes) where values are not enough.
 */
import readExcelFile from 'read-excel-file/node'
import { strFromU8, unzipSync } from 'fflate'

export type Value = string | number | boolean | Date | null

export interface Workbook {
  /** sheet names in order */
  names: string[]
  /** a sheet's rows, from row 1 */
  rows(sheet: string): Value[][]
  /** the value at an address such as `AA3`, null when empty */
  cell(sheet: string, address: string): Value
  /** the XML text of a part, e.g. `xl/styles.xml`, `xl/worksheets/sheet1.xml` */
  xml(part: string): string
}

function columnIndex(letters: string): number {
  let n = 0
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n - 1
}

/** Reads a workbook from its bytes; throws when it is not one. */
export async function readWorkbook(bytes: Buffer): Promise<Workbook> {
  const sheets = (await readExcelFile(bytes)) as { sheet: string; data: Value[][] }[]
  const parts = unzipSync(new Uint8Array(bytes))
  const rows = (name: string) => {
    const s = sheets.find((x) => x.sheet === name)
    if (!s) throw new Error(`no sheet ${name}`)
    return s.data
  }
  return {
    names: sheets.map((s) => s.sheet),
    rows,
    cell(sheet, address) {
      const m = /^([A-Z]+)(\d+)$/.exec(address)
      if (!m) throw new Error(`not an address: ${address}`)
      return rows(sheet)[Number(m[2]) - 1]?.[columnIndex(m[1]!)] ?? null
    },
    xml(part) {
      const bytes = parts[part]
      if (!bytes) throw new Error(`no part ${part}`)
      return strFromU8(bytes)
    },
  }
}
