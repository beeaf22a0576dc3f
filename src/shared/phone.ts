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
