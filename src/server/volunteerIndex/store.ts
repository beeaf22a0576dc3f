/**
 * The volunteer register looked up by phone, for volunteer accounts (../volunteers.ts).
 * Both backends implement it on indexes: `records_volunteer_phone` (migrations sqlite 011 /
 * postgres 010) finds the `volunteer` records naming a phone, `records_target` the rest of
 * each registration's chain and its services (both keep the volunteer's id in target_id:
 * the rule table's chain and volunteer references). Nothing reads a community's whole log.
 */
import type { StoredRecord } from '../../shared/records'

export interface VolunteerIndexStore {
  /**
   * The records that say which registered volunteers an account with `phone` acts as
   * under `scopes` (org paths): every `volunteer` record of each registration any of whose
   * records ever named `phone` and whose first record lies under a scope, and the
   * `volunteer.service` records naming those registrations, in seq order.
   * `volunteerReader(records, phone)` (src/shared/volunteerScope.ts) reads them as it would
   * the whole community's log. `phone` is the account's, 11 digits.
   */
  ofPhone(scopes: readonly string[], phone: string): Promise<StoredRecord[]>
}


