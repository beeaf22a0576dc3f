/** Keys of `db.drafts` rows that more than one store needs to know. */

/** The reading session running on this device (one at a time: a reader is at one point at a time). */
export const RUNNING_KEY = 'reading.running'
