/**
 * A password's length limits, in characters (code points, so 八位中文 counts 8), on a
 * file of their own: the wire schemas (protocol.ts) need them, and they must not pull
 * the common-password list (password.ts) into the app's first download.
 */
export const PASSWORD_MIN = 8
/** Longer passwords are refused before hashing: scrypt of megabytes would be a cheap DoS. */
export const PASSWORD_MAX = 200
