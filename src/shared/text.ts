/**
 * Text length as a person counts it: one grapheme cluster is one character, so
 * an emoji (even a family of several code points) or a rare CJK character outside
 * the BMP counts as one. The form counter, the field limit, the device check and
 * the server check all use this, so they never disagree.
 */

const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'grapheme' })

/** Number of characters in `s` as a person counts them (grapheme clusters). */
export function textLength(s: string): number {
  let n = 0
  // ASCII and BMP-only text without combining marks: one code unit per character
  // (the common case), so skip the segmenter.
  if (/^[\u0000-\u02ff\u0370-\u1dbf\u1e00-\u20cf\u2100-\ud7ff\ue000-\ufdff\ufe30-\uffff]*$/.test(s)) return s.length
  for (const _ of segmenter.segment(s)) n++
  return n
}

/** `s` cut to at most `max` characters as a person counts them, never splitting one. */
export function clipText(s: string, max: number): string {
  if (textLength(s) <= max) return s
  let out = ''
  let n = 0
  for (const { segment } of segmenter.segment(s)) {
    if (n++ >= max) break
    out += segment
  }
  return out
}
