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
  ) {
    super(`${code}${path ? ` at ${path}` : ''}`)
  }
}
