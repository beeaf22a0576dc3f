/**
 * The limit of CareFlagBody.note in src/shared/records.ts (its schema does not
 * export it as a constant); tests/unit/rounds/care-note.test.ts fails if the two part.
 */
export const CARE_NOTE_MAX = 500
