/**
 * Canonical JSON: object keys sorted, no whitespace. Two records with the same
 * content give the same string whatever order their keys arrived in, which is
 * what "same id, same content = duplicate" compares.
 *
 * Every pushed record is hashed over this text, so it is built with plain loops
 * (no per-level arrays of parts); the text is exactly the one the earlier
 * map/join version made (tests/unit/shared/canonical.test.ts compares them),
 * as stored hashes depend on it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      // a hole stays empty, as Array.prototype.join leaves it
      if (i in value) out += canonicalJson(value[i])
    }
    return out + ']'
  }
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).sort()
  let out = '{'
  for (const k of keys) {
    const v = obj[k]
    if (v === undefined) continue
    if (out.length > 1) out += ','
    out += JSON.stringify(k) + ':' + canonicalJson(v)
  }
  return out + '}'
}
