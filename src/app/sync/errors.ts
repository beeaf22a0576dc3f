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
