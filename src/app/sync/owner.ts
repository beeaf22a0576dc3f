/**
 * Who a sync run or a save speaks for: the session it began with. A logout (or
 * another person's login) can land while a request is on its way; every write
 * that follows checks, inside its own transaction, that the device still
 * belongs to the same person before storing anything.
 */
import type { LoudongDB } from '@app/db/database'
import type { Session } from '@app/db/schema'
import { SessionChangedError } from './errors'

export interface Owner {
  userId: string
  /** checked too when given (a sync run: the token it sends); a save needs only the user */
  token?: string
}

export function ownerOf(session: Session): Owner {
  return { userId: session.user.id, token: session.token }
}

/** Must run inside a transaction that includes `db.meta`; throws SessionChangedError when the session is no longer the owner's. */
export async function assertOwner(db: LoudongDB, owner: Owner): Promise<void> {
  const session = await db.getMeta('session')
  if (!session || session.user.id !== owner.userId || (owner.token !== undefined && session.token !== owner.token)) throw new SessionChangedError()
}
