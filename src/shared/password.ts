/**
 * The password rule, one for every path that sets a password: the login server's
 * own-password change and the staff's one-time codes (src/server/routes), the admin
 * CLI and the import (src/server/admin.ts, importer.ts), and the app's forms, which
 * show the same words before anything is sent.
 */
import { COMMON_PASSWORDS } from './commonPasswords'
import { normalizePhone } from './phone'
import { PASSWORD_MAX, PASSWORD_MIN } from './passwordLimits'

export { PASSWORD_MAX, PASSWORD_MIN }

/** Why a password is refused; each has words in src/shared/messages.ts. */
export type PasswordProblem = 'password_short' | 'password_long' | 'password_phone' | 'password_common'

let common: Set<string> | undefined

/** True when `password` (trimmed, any case) is one of the most common passwords. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(COMMON_PASSWORDS)
  return common.has(password.trim().toLowerCase())
}

/**
 * The first problem with `password` for the account of `phone` (as typed or stored;
 * null when not known yet), or null when it may be used. A password holding the
 * 11-digit phone number (`13800000001`, `+8613800000001`, `1380000000１a`…) counts as
 * the phone number: it is the first thing anyone who knows the person tries.
 */
export function passwordProblem(password: string, phone: string | null): PasswordProblem | null {
  const length = [...password].length
  if (length < PASSWORD_MIN) return 'password_short'
  if (length > PASSWORD_MAX) return 'password_long'
  const digits = password.normalize('NFKC').replace(/\D/g, '')
  const own = phone === null ? '' : normalizePhone(phone)
  if (own.length >= 7 && digits.includes(own)) return 'password_phone'
  if (isCommonPassword(password) || isCommonPassword(password.normalize('NFKC'))) return 'password_common'
  return null
}
