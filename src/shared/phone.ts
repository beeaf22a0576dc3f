/**
 * Phone numbers as people type them: with spaces, dashes, brackets or +86. The
 * account (and a household's number) is the 11 digits. The login form, the
 * server's login and the household profile all read numbers through this.
 */

/** `+86 138-0000-0001` → `13800000001`; anything that is not a mainland mobile is returned without separators. */
export function normalizePhone(raw: string): string {
  return raw.replace(/[\s\-()]/g, '').replace(/^(?:\+?86)(1\d{10})$/, '$1')
}

/** True when two typed numbers name the same phone. */
export function samePhone(a: string, b: string): boolean {
  return normalizePhone(a) === normalizePhone(b)
}

/**
 * A resident's number as lists, exports and screens show it: `13800000001` →
 * `138****0001` (the first three and last four digits). Anything that is not an
 * 11-digit mainland mobile is returned unchanged, except that its digits beyond the
 * first three and last four are starred when it is long enough to mask.
 */
export function maskPhone(phone: string): string {
  const n = normalizePhone(phone)
  if (/^1\d{10}$/.test(n)) return `${n.slice(0, 3)}****${n.slice(7)}`
  return n.length > 7 ? `${n.slice(0, 3)}${'*'.repeat(n.length - 7)}${n.slice(-4)}` : n
}

/** True when a number shown is masked (came from a pull, not typed on this device). */
export function isMaskedPhone(phone: string): boolean {
  return phone.includes('*')
}
