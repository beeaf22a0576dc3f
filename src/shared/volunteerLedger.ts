/**
 * The volunteer figures of the monthly ledger (志愿服务台账), beside the
 * ledger's own (src/shared/ledger.ts) and computed from the same log:
 * - hours and services per volunteer and per team: live services (corrections
 *   applied, voids left out) placed under the path, whose trusted time
 *   (`ServiceView.at`) lies in the Asia/Shanghai month; a volunteer counts
 *   toward the team they are registered in now.
 * - wishes: posted = wishes under the path whose trusted postedAt is in the
 *   month; claimed / fulfilled / confirmed = those steps that took effect in the
 *   month (a claim that later lapsed still counts as a claim that month).
 */
import { isUnder } from './org'
import type { AnyRecord, TeamKind } from './records'
import { monthRange } from './time'
import { foldServices, foldTeams, foldVolunteers } from './volunteers'
import { foldWishes } from './wishes'

export interface VolunteerHoursRow {
  id: string
  name: string
  teamName?: string
  hours: number
  services: number
}

export interface TeamHoursRow {
  /** '' for volunteers in no team */
  id: string
  name: string
  kind?: TeamKind
  hours: number
  services: number
  volunteers: number
}

export interface WishCounts {
  posted: number
  claimed: number
  fulfilled: number
  confirmed: number
}

export interface VolunteerLedger {
  month: string
  hours: number
  services: number
  volunteers: VolunteerHoursRow[]
  teams: TeamHoursRow[]
  wishes: WishCounts
}

/** The month's volunteer figures under `scope` (see the module comment). `now` is epoch ms. */
export function volunteerLedger(records: readonly AnyRecord[], scope: string, month: string, now: number): VolunteerLedger {
  const range = monthRange(month)
  const inMonth = (t: number) => t >= range.from && t < range.to
  const volunteers = foldVolunteers(records)
  const teams = foldTeams(records)
  const byVolunteer = new Map<string, VolunteerHoursRow>()
  const byTeam = new Map<string, TeamHoursRow & { people: Set<string> }>()
  let hours = 0
  let services = 0
  for (const s of foldServices(records).values()) {
    if (s.voided || !isUnder(s.orgPath, scope) || !inMonth(s.at)) continue
    hours += s.hours
    services++
    const person = volunteers.get(s.volunteer)
    const team = person?.team ? teams.get(person.team) : undefined
    const row = byVolunteer.get(s.volunteer) ?? { id: s.volunteer, name: person?.name ?? '', ...(team ? { teamName: team.name } : {}), hours: 0, services: 0 }
    row.hours += s.hours
    row.services++
    byVolunteer.set(s.volunteer, row)
    const teamId = team?.id ?? ''
    const t = byTeam.get(teamId) ?? { id: teamId, name: team?.name ?? '', ...(team ? { kind: team.kind } : {}), hours: 0, services: 0, volunteers: 0, people: new Set<string>() }
    t.hours += s.hours
    t.services++
    t.people.add(s.volunteer)
    t.volunteers = t.people.size
    byTeam.set(teamId, t)
  }
  const wishes: WishCounts = { posted: 0, claimed: 0, fulfilled: 0, confirmed: 0 }
  for (const w of foldWishes(records, now).values()) {
    if (!isUnder(w.building, scope)) continue
    if (inMonth(w.postedAt)) wishes.posted++
    for (const step of w.steps) {
      if (!step.effective || !inMonth(step.at)) continue
      if (step.action === 'claim') wishes.claimed++
      else if (step.action === 'fulfil') wishes.fulfilled++
      else if (step.action === 'confirm') wishes.confirmed++
    }
  }
  const byHours = <R extends { hours: number; name: string }>(a: R, b: R) => b.hours - a.hours || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  return {
    month,
    hours,
    services,
    volunteers: [...byVolunteer.values()].sort(byHours),
    teams: [...byTeam.values()].map(({ people: _people, ...t }) => t).sort(byHours),
    wishes,
  }
}
