/**
 * The ledger as files an office recognises: an XLSX (../xlsx.ts) holding the
 * monthly summary and the detailed sheets — 入户走访登记表, 民情事项台账,
 * 读报点记录 — and a CSV of any one sheet (UTF-8 with a BOM, so Excel and WPS
 * read the Chinese). Headers are Chinese; dates are typed dates shown in
 * Shanghai time, counts and shares typed numbers. Residents' phone numbers are
 * masked (138****0001) everywhere, in free text too.
 */
import type { Ledger, LedgerFigures } from '../../shared/ledger'
import { ledgerFacts } from '../../shared/ledger'
import type { LedgerSheet } from '../../shared/ledgerProtocol'
import { isUnder, roomLabel, type Level, type OrgNode } from '../../shared/org'
import { monthRange } from '../../shared/time'
import { foldHouseholdProfiles, householdRef } from '../../shared/rounds'
import type { LedgerSource } from './load'
import { volunteerSheet } from './volunteerSheet'
import { xlsxBuffer, type Cell, type XlsxColumn } from '../xlsx'

const OFFSET_MS = 8 * 60 * 60 * 1000

/** `13800000001` → `138****0001`, wherever a mainland mobile number appears in the text. */
export function maskPhones(text: string): string {
  return text.replace(/(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)/g, '$1****$2')
}

/**
 * An instant as a spreadsheet date showing Shanghai wall time: spreadsheets have
 * no zones, so the cell holds the Shanghai clock reading as if it were UTC.
 */
const cellDate = (ms: number) => new Date(ms + OFFSET_MS)

const LEVEL_ZH: Record<Level, string> = { district: '区', street: '街道', community: '社区', group: '居民小组', building: '楼栋' }
const OUTCOME_ZH = { met: '见到住户', nobody_home: '无人在家', declined: '拒绝' } as const
const PURPOSE_ZH = { policy: '政策宣传', care: '关爱探访', safety: '安全检查', opinion: '收集意见', mediation: '矛盾调解', other: '其他' } as const
const CATEGORY_ZH = { environment: '环境卫生', property: '物业管理', security: '治安', neighbour: '邻里关系', repair: '维修', policy: '政策咨询', other: '其他' } as const
const CHANNEL_ZH = { visit: '入户走访', reading: '读报点', box: '意见箱', phone: '电话', wechat: '微信', other: '其他' } as const
const HOW_ZH = { in_person: '当面', phone: '电话', wechat: '微信', other: '其他' } as const
const VIEW_ZH = { satisfied: '满意', fairly_satisfied: '基本满意', dissatisfied: '不满意', no_view: '未表态' } as const

export type { Cell }

export interface Sheet {
  title: string
  columns: XlsxColumn[]
  rows: Cell[][]
}

const pct = '0.0%'
const dateFmt = 'yyyy-mm-dd'
const timeFmt = 'yyyy-mm-dd hh:mm'

/** One summary line: a row or the totals. */
function summaryCells(name: string, kind: Level, f: LedgerFigures): Cell[] {
  return [
    name, LEVEL_ZH[kind], f.households, f.householdsCovered, f.households ? f.householdsCovered / f.households : null,
    f.visits, f.visitsMet, f.visitsNobodyHome, f.visitsDeclined, f.publicityVisits,
    f.careHouseholds, f.careOnTime, f.careHouseholds ? f.careOnTime / f.careHouseholds : null,
    f.feedbackCollected, f.feedbackResolved,
    f.feedbackResolvedByLevel.building, f.feedbackResolvedByLevel.group, f.feedbackResolvedByLevel.community,
    f.feedbackResolvedByLevel.street, f.feedbackResolvedByLevel.district,
    f.feedbackOpen, f.feedbackOverdue, f.feedbackReopened, f.medianResolutionDays,
    f.reportedBack, f.satisfied, f.selfGovernanceRate, f.replyResolveRate,
    f.readingSessions, f.readingAttendance, f.readingHouseholds, f.leadersWithoutRecords,
  ]
}

function summarySheet(ledger: Ledger): Sheet {
  const n = (header: string, width = 10) => ({ header, width })
  const p = (header: string) => ({ header, width: 12, format: pct })
  return {
    title: '月度工作台账',
    columns: [
      { header: '单位', width: 18 }, n('层级', 8), n('户数'), n('本月见到户数'), p('覆盖率'),
      n('走访户次'), n('见到'), n('无人在家'), n('拒绝'), n('入户宣传户次'),
      n('关爱对象数'), n('按期探访数'), p('按期探访率'),
      n('民情新收'), n('本月办结'), n('楼栋办结'), n('小组办结'), n('社区办结'), n('街道办结'), n('区办结'),
      n('月末未办结'), n('超期'), n('重开'), { header: '中位办理天数', width: 12, format: '0.0' },
      n('已回访'), n('满意'), p('居民自治协调解决案件比例'), p('收集信息反馈与协调解决比例'),
      n('读报场次'), n('读报人次'), n('点名户数'), n('无记录的楼栋长/小组长'),
    ],
    rows: [...ledger.rows.map((r) => summaryCells(r.name, r.kind, r.figures)), summaryCells(`合计(${ledger.name})`, ledger.kind, ledger.totals)],
  }
}

function nodeName(nodes: Map<string, OrgNode>, path: string, depth: number): string {
  const p = path.split('/').slice(0, depth).join('/')
  return path.split('/').length >= depth ? (nodes.get(p)?.name ?? '') : ''
}

function detailSheets(ledger: Ledger, src: LedgerSource): Sheet[] {
  const { from, to } = monthRange(ledger.month)
  const inMonth = (t: number) => t >= from && t < to
  const facts = ledgerFacts(src.records)
  const nodes = new Map(src.nodes.map((n) => [n.path, n]))
  const profiles = foldHouseholdProfiles(src.records)
  const who = (id: string) => src.names.get(id) ?? ''
  const place = (path: string) => [nodeName(nodes, path, 3), nodeName(nodes, path, 4), nodeName(nodes, path, 5)]
  // feedback raised from a visit, by visit id
  const raisedFrom = new Map<string, string[]>()
  for (const f of facts.feedback) if (f.source?.type === 'visit') raisedFrom.set(f.source.id, [...(raisedFrom.get(f.source.id) ?? []), f.id.slice(-8)])

  const visits = facts.visits
    .filter((v) => isUnder(v.view.orgPath, ledger.scope) && inMonth(v.at))
    .sort((a, b) => a.at - b.at || (a.view.id < b.view.id ? -1 : 1))
  const visitRows: Cell[][] = visits.map(({ view: v, at }, i) => {
    const profile = profiles.get(householdRef(v.orgPath, v.household))
    return [
      i + 1, cellDate(at), ...place(v.orgPath), `${v.household.split('-')[0]}单元 ${roomLabel(v.household)}`,
      profile?.displayName ?? '', profile?.phone ? maskPhones(profile.phone) : '',
      v.purposes.map((p) => PURPOSE_ZH[p]).join('、'), OUTCOME_ZH[v.outcome], maskPhones(v.note),
      (raisedFrom.get(v.id) ?? []).join('、'), who(v.authorId), v.history.some((h) => h.kind === 'correction') ? '已更正' : '',
    ]
  })

  const items = facts.feedback
    .filter((f) => isUnder(f.orgPath, ledger.scope) && (inMonth(f.at.raised) || (f.at.resolved !== undefined && inMonth(f.at.resolved)) || (f.at.raised < to && f.status === 'open')))
    .sort((a, b) => a.at.raised - b.at.raised || (a.id < b.id ? -1 : 1))
  const itemRows: Cell[][] = items.map((f) => {
    const path = f.timeline
      .filter((e) => e.effective && (e.action === 'raise' || e.action === 'escalate' || e.action === 'resolve' || e.action === 'reopen'))
      .map((e) => `${LEVEL_ZH[e.level]} ${e.clientTime.slice(0, 10)}${e.action === 'resolve' ? ' 办结' : e.action === 'reopen' ? ' 重开' : ''}`)
      .join(' → ')
    const rb = f.reportedBack
    return [
      f.id.slice(-8), cellDate(f.at.raised), CHANNEL_ZH[f.channel], [...place(f.orgPath), f.household ? roomLabel(f.household) : ''].filter(Boolean).join(' '),
      CATEGORY_ZH[f.category], maskPhones(f.description), f.urgency === 'urgent' ? '紧急' : '一般', LEVEL_ZH[f.currentLevel], path,
      f.resolution ? maskPhones(f.resolution) : '', f.resolvedLevel ? LEVEL_ZH[f.resolvedLevel] : '',
      f.at.resolved !== undefined && f.status === 'resolved' ? cellDate(f.at.resolved) : null,
      f.at.resolved !== undefined && f.status === 'resolved' ? Math.round(((f.at.resolved - f.at.raised) / 86_400_000) * 10) / 10 : null,
      rb ? '是' : '否', rb ? cellDate(rb.at) : null, rb ? HOW_ZH[rb.how] : '', rb ? VIEW_ZH[rb.residentView] : '', f.reopenCount, who(f.raisedBy),
    ]
  })

  const sessions = facts.sessions.filter((s) => isUnder(s.path, ledger.scope) && inMonth(s.at)).sort((a, b) => a.at - b.at)
  const opinions = new Map<string, number>()
  for (const f of facts.feedback) if (f.source?.type === 'reading.session') opinions.set(f.source.id, (opinions.get(f.source.id) ?? 0) + 1)
  const readingRows: Cell[][] = sessions.map((s) => [
    cellDate(s.at), nodes.get(s.path)?.name ?? s.path, s.reader, s.materials.join('、'), s.attendance, s.households.length, opinions.get(s.id) ?? 0,
  ])

  return [
    {
      title: '入户走访登记表',
      columns: [
        { header: '序号', width: 6 }, { header: '走访日期', width: 17, format: timeFmt }, { header: '社区', width: 12 }, { header: '居民小组', width: 12 },
        { header: '楼栋', width: 8 }, { header: '单元/门牌', width: 12 }, { header: '住户称呼', width: 10 }, { header: '联系电话', width: 13 },
        { header: '走访目的', width: 16 }, { header: '结果', width: 10 }, { header: '情况摘要', width: 30 }, { header: '生成事项编号', width: 14 },
        { header: '走访人', width: 10 }, { header: '备注', width: 8 },
      ],
      rows: visitRows,
    },
    {
      title: '民情事项台账',
      columns: [
        { header: '事项编号', width: 10 }, { header: '收集时间', width: 17, format: timeFmt }, { header: '渠道', width: 8 }, { header: '楼栋/门牌', width: 20 },
        { header: '类别', width: 10 }, { header: '内容', width: 30 }, { header: '紧急程度', width: 8 }, { header: '当前层级', width: 8 },
        { header: '流转轨迹', width: 36 }, { header: '处理措施', width: 24 }, { header: '办结层级', width: 8 }, { header: '办结日期', width: 17, format: timeFmt },
        { header: '办理天数', width: 8, format: '0.0' }, { header: '是否回访', width: 8 }, { header: '回访日期', width: 12, format: dateFmt },
        { header: '回访方式', width: 8 }, { header: '满意度', width: 10 }, { header: '重开次数', width: 8 }, { header: '记录人', width: 10 },
      ],
      rows: itemRows,
    },
    {
      title: '读报点记录',
      columns: [
        { header: '日期', width: 17, format: timeFmt }, { header: '读报点', width: 20 }, { header: '读报人', width: 10 }, { header: '材料', width: 24 },
        { header: '参加人数', width: 10 }, { header: '点名户数', width: 10 }, { header: '收集意见数', width: 10 },
      ],
      rows: readingRows,
    },
  ]
}

function sheetsOf(ledger: Ledger, src: LedgerSource): Record<LedgerSheet, Sheet> {
  const [visits, feedback, reading] = detailSheets(ledger, src)
  return { summary: summarySheet(ledger), visits: visits!, feedback: feedback!, reading: reading! }
}

/** `明通巷社区-2026-05-月度工作台账`: the scope's name, the month and (for a CSV) the sheet. */
export function exportFileName(ledger: Ledger, sheet?: LedgerSheet): string {
  const title = sheet ? { summary: '月度工作台账', visits: '入户走访登记表', feedback: '民情事项台账', reading: '读报点记录' }[sheet] : '台账'
  return `${ledger.name}-${ledger.month}-${title}`
}

/**
 * The workbook's `.xlsx` bytes: the summary first, then the detailed sheets.
 * Each sheet has a title line (scope, month), the Chinese header row, the
 * rows, and the 填报人 / 审核人 / 日期 line an office signs.
 */
export function ledgerXlsx(ledger: Ledger, src: LedgerSource): Promise<Buffer> {
  const sheets = [...Object.values(sheetsOf(ledger, src)), volunteerSheet(ledger.scope, ledger.month, src)]
  return xlsxBuffer(
    sheets.map((sheet) => ({
      name: sheet.title,
      title: `${ledger.name} ${ledger.month} ${sheet.title}`,
      columns: sheet.columns,
      rows: sheet.rows,
      footer: ['填报人:', '', '', '审核人:', '', '', '日期:'],
    })),
  )
}

function csvCell(c: Cell, format?: string): string {
  if (c === null) return ''
  let s: string
  if (c instanceof Date) s = c.toISOString().slice(0, format === dateFmt ? 10 : 16).replace('T', ' ')
  else if (typeof c === 'number') s = format === pct ? (Math.round(c * 1000) / 10).toFixed(1) + '%' : String(c)
  else s = c
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** One sheet as CSV: UTF-8 with a byte-order mark, CRLF lines, the header row first. */
export function ledgerCsv(ledger: Ledger, src: LedgerSource, sheet: LedgerSheet): string {
  const s = sheetsOf(ledger, src)[sheet]
  const lines = [s.columns.map((c) => csvCell(c.header)).join(','), ...s.rows.map((r) => r.map((c, i) => csvCell(c, s.columns[i]?.format)).join(','))]
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}
