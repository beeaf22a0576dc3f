/**
 * Spreadsheets an office opens in Excel or WPS, written by write-excel-file:
 * each sheet an optional bold title line, a bold header row, the rows typed
 * (numbers as numbers, dates as dates in the column's format), and lines to
 * sign below; the lines down to the header stay in view when scrolling, and it
 * prints on A4 landscape, as wide as the page.
 */
import writeXlsxFile, { type Row } from 'write-excel-file/node'

// the multi-sheet overload's types (the last overload is what Parameters<> sees)
type WriteArgs = Parameters<typeof writeXlsxFile>
type Sheet = WriteArgs[0][number]
type Feature = NonNullable<NonNullable<WriteArgs[1]>['features']>[number]

/** A cell's value; a Date is written as the wall time its UTC fields read. */
export type Cell = string | number | Date | null

/** One column: its header, its width in characters and, for numbers and dates, its Excel number format. */
export interface XlsxColumn {
  header: string
  width: number
  format?: string
}

/** One sheet of a workbook. */
export interface XlsxSheet {
  /** the sheet's tab name (at most 31 characters, Excel's limit) */
  name: string
  /** a bold line above the header row, e.g. `明通巷社区 2026-05 入户走访登记表` */
  title?: string
  columns: readonly XlsxColumn[]
  rows: readonly (readonly Cell[])[]
  /** a line below the rows, after an empty one: 填报人 / 审核人 / 日期 */
  footer?: readonly string[]
}

/**
 * Scale to the page's width (any number of pages down): a ledger sheet is
 * wider than A4 even in landscape, and an office prints it on one page across.
 * write-excel-file sets A4 and the orientation; this adds the fit.
 */
const fitToPageWidth: Feature = {
  files: {
    transform: {
      'xl/worksheets/sheet{id}.xml': {
        transform: (xml) =>
          xml
            .replace(/<pageSetup /, '<pageSetup fitToWidth="1" fitToHeight="0" ')
            // sheetPr comes first among a worksheet's children
            .replace(/(<worksheet[^>]*>)/, '$1<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'),
      },
    },
  },
}

function cellOf(value: Cell, format: string | undefined): Row[number] {
  if (value === null) return null
  if (value instanceof Date) return { value, type: Date, format: format ?? 'yyyy-mm-dd hh:mm' }
  if (typeof value === 'number') return format ? { value, type: Number, format } : value
  return value
}

function sheetOf(s: XlsxSheet): Sheet {
  const data: Row[] = []
  if (s.title) data.push([{ value: s.title, fontWeight: 'bold', fontSize: 14 }])
  data.push(s.columns.map((c) => ({ value: c.header, fontWeight: 'bold' })))
  for (const r of s.rows) data.push(r.map((v, i) => cellOf(v, s.columns[i]?.format)))
  if (s.footer) data.push([], [...s.footer])
  return {
    data,
    sheet: s.name,
    columns: s.columns.map((c) => ({ width: c.width })),
    stickyRowsCount: s.title ? 2 : 1,
    orientation: 'landscape',
  }
}

/**
 * The workbook's `.xlsx` bytes, sheets in the order given.
 * Throws if two sheets share a name.
 */
export async function xlsxBuffer(sheets: readonly XlsxSheet[]): Promise<Buffer> {
  if (new Set(sheets.map((s) => s.name)).size !== sheets.length) throw new Error('xlsx: two sheets share a name')
  return writeXlsxFile(sheets.map(sheetOf), { features: [fitToPageWidth] }).toBuffer()
}
