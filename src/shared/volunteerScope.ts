/**
 * What a volunteer account receives from the log. Its scope is a community, but
 * a volunteer is not a leader: the residents' visits, feedback, profiles and
 * reading sessions there are not theirs to read. The server's pull passes a
 * volunteer only the wall (wishes and their steps), the teams, and their own
 * registration, pairings and services (with the corrections and voids of those
 * services). A wish's address (`wish.address`) never travels in a volunteer's
 * pull: the one who holds the claim fetches it (GET /api/v1/wishes/:id/address),
 * and only while the claim holds.
 */
import type { AnyRecord } from './records'
import { foldServices, foldVolunteers, volunteerIdsOf } from './volunteers'

/** The volunteer records an account may read: its registrations (first-record ids) and their services. */
export interface VolunteerReader {
  volunteerIds: ReadonlySet<string>
  serviceIds: ReadonlySet<string>
}

/** The reader for the account with `phone`, from the volunteer and service records of its community. */
export function volunteerReader(records: readonly AnyRecord[], phone: string): VolunteerReader {
  const volunteerIds = new Set(volunteerIdsOf(foldVolunteers(records), phone))
  const serviceIds = new Set<string>()
  for (const s of foldServices(records).values()) if (volunteerIds.has(s.volunteer)) serviceIds.add(s.id)
  return { volunteerIds, serviceIds }
}

/** May a volunteer account with `reader` receive `r`? */
export function visibleToVolunteer(r: AnyRecord, reader: VolunteerReader): boolean {
  switch (r.type) {
    case 'volunteer.team':
    case 'wish':
    case 'wish.event':
      return true
    case 'volunteer':
      return reader.volunteerIds.has(r.id) || (r.body.of !== undefined && reader.volunteerIds.has(r.body.of))
    case 'volunteer.pairing':
    case 'volunteer.service':
      return reader.volunteerIds.has(r.body.volunteer)
    case 'correction':
    case 'void':
      return reader.serviceIds.has(r.body.target)
    default:
      return false
  }
}
