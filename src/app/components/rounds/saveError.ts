/** Why a save was refused, in the person's words, and next to which field. */
import { message } from '@shared/index'
import { locale, t } from '@app/i18n'
import { RecordShapeError } from '@app/sync/errors'
import { storageFaultText } from '@app/db/faults'
import { fieldText } from '@app/components/sync/words'

export interface SaveError {
  text: string
  /** the offending field, e.g. `body.note`, to put the message next to it */
  path: string
}

/** Fields of rounds records the sync words do not name. */
const ROUND_FIELDS: Record<string, string> = {
  'body.reason': 'rounds.form.reason',
  'body.fields': 'rounds.form.changes',
  'body.displayName': 'rounds.profile.name',
  'body.phone': 'rounds.profile.phone',
  'body.intervalDays': 'rounds.care.interval',
}

function fieldName(path: string): string {
  // a correction's fields are the visit's own: `body.fields.note` is the note
  const own = path.startsWith('body.fields.') ? `body.${path.slice('body.fields.'.length)}` : path
  const key = ROUND_FIELDS[own]
  return key ? t(key) : fieldText(own)
}

export function describeSaveError(error: unknown): SaveError {
  if (error instanceof RecordShapeError) {
    return { text: t('visits.errors.field', { field: fieldName(error.path), message: message(error.code, locale.value, { max: error.max }) }), path: error.path }
  }
  const storage = storageFaultText(error)
  if (storage) return { text: storage, path: '' }
  if (error instanceof Error && error.message === 'not signed in') return { text: t('visits.errors.notSignedIn'), path: '' }
  return { text: t('visits.errors.notSaved'), path: '' }
}

export function saveErrorText(error: unknown): string {
  return describeSaveError(error).text
}
