import type { MessageCode } from '@shared/index'

/**
 * The record failed the shared shape check before it was saved. Carries the
 * message code and field path so the form can say what is wrong next to the
 * right field and keep everything the person typed.
 */
export class RecordShapeError extends Error {
  override readonly name = 'RecordShapeError'

  constructor(
    readonly code: MessageCode,
    readonly path: string,
    /** for a text that is too long: the most characters the field takes */
    readonly max?: number,
  ) {
    super(`${code}${path ? ` at ${path}` : ''}`)
  }
}

/**
 * The person this sync run or save speaks for logged out, or someone else logged
 * in, since it began: whatever it was about to write belongs to nobody here now.
 * Thrown inside the write's transaction so nothing of it is stored. Not a
 * failure: the engine simply stops, with no retry and no backoff.
 */
export class SessionChangedError extends Error {
  override readonly name = 'SessionChangedError'

  constructor() {
    super('the session changed while writing')
  }
}

/**
 * A save under an id this device already holds with other content (another
 * record's id, or a form saved once and changed since). Nothing is written: a
 * stored record is never overwritten by a save. Forms avoid it by keeping the
 * first save's answer; it stays a programming error, not a person's.
 */
export class IdTakenError extends Error {
  override readonly name = 'IdTakenError'

  constructor(readonly id: string) {
    super(`record ${id} is already saved with other content`)
  }
}
