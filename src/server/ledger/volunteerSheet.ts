/**
 * 志愿服务记录: the ledger workbook's sheet of volunteer services in the month
 * (the volunteer record a community must keep), one row per live service
 * (corrections applied, voids left out) by trusted time, then the hours per
 * volunteer and per team (src/shared/volunteerLedger.ts), then the month's
 * 微心愿 counts. Dates are Shanghai wall time, hours typed numbers.
 */
import { isUnder, roomLabel } from '../../shared/org'
import { monthRange } from '../../shared/time'
import { foldServices, foldTeams, foldVolunteers } from '../../shared/volunteers'
import { volunteerLedger } from '../../shared/volunteerLedger'
import { maskPhones, type Cell, type Sheet } from './export'
import type { LedgerSource } from './load'

const OFFSET_MS = 8 * 60 * 60 * 1000
const KIND_ZH = { care_visit: '关爱探访', companionship: '陪伴聊天', chores: '家务帮忙', repair: '维修', health: '健康服务', publicity: '宣传', other: '其他' } as const

/** The sheet for `scope` and `month` from the ledger's records. */
export function volunteerSheet(scope: string, month: string, src: LedgerSource): Sheet {
  const range = monthRange(month)
  const volunteers = foldVolunteers(src.records)
  const teams = foldTeams(src.records)
  const names = new Map(src.nodes.map((n) => [n.path, n.name]))
  const rows: Cell[][] = []
  const services = [...foldServices(src.records).values()]
    .filter((s) => !s.voided && isUnder(s.orgPath, scope) && s.at >= range.from && s.at < range.to)
    .sort((a, b) => a.at - b.at)
  for (const s of services) {
    const person = volunteers.get(s.volunteer)
    const team = person?.team ? teams.get(person.team)?.name : undefined
    const place = `${names.get(s.orgPath) ?? s.orgPath}${s.households.length ? ' ' + s.households.map(roomLabel).join('、') : ''}`
    rows.push([new Date(s.at + OFFSET_MS), person?.name ?? '', team ?? '', KIND_ZH[s.kind], s.hours, s.households.length, place, maskPhones(s.note), src.names.get(s.authorId) ?? ''])
  }
  const figures = volunteerLedger(src.records, scope, month, Date.now())
  rows.push([])
  for (const v of figures.volunteers) rows.push(['志愿者小计', v.name, v.teamName ?? '', `${v.services} 次`, v.hours, null, null, null, null])
  for (const t of figures.teams) rows.push(['队伍小计', null, t.name || '未编队', `${t.services} 次 · ${t.volunteers} 人`, t.hours, null, null, null, null])
  rows.push(['合计', null, null, `${figures.services} 次`, figures.hours, null, null, null, null])
  rows.push(['微心愿', `发布 ${figures.wishes.posted}`, `认领 ${figures.wishes.claimed}`, `完成 ${figures.wishes.fulfilled}`, null, null, `确认 ${figures.wishes.confirmed}`, null, null])
  return {
    title: '志愿服务记录',
    columns: [
      { header: '服务日期', width: 17, format: 'yyyy-mm-dd hh:mm' }, { header: '志愿者', width: 10 }, { header: '队伍', width: 14 }, { header: '服务内容', width: 12 },
      { header: '时长(小时)', width: 10, format: '0.0' }, { header: '服务户数', width: 8 }, { header: '地点', width: 20 }, { header: '说明', width: 30 }, { header: '记录人', width: 10 },
    ],
    rows,
  }
}
