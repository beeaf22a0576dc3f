/**
 * Text length as a person counts it: one grapheme cluster is one character, so
 * an emoji (even a family of several code points) or a rare CJK character outside
 * the BMP counts as one. The form counter, the field limit, the device check and
 * the server check all use this, so they never disagree.
 */

const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'grapheme' })
// from the space up, leaving out combining marks (U+0300–036F, 1DC0–1DFF, 20D0–20FF, FE20–FE2F),
// joiners (U+200C–200D), variation selectors (FE00–FE0F) and surrogates; control characters
// need no segmenter either, but a regex naming them trips the linter for nothing
const SIMPLE = /^[\t\n\r\u0020-\u02ff\u0370-\u1dbf\u1e00-\u200b\u200e-\u20cf\u2100-\ud7ff\ue000-\ufdff\ufe10-\ufe1f\ufe30-\uffff]*$/

/** Number of characters in `s` as a person counts them (grapheme clusters). */
export function textLength(s: string): number {
  // BMP text without combining marks or joiners: one code unit per character (the
  // common case, Chinese included), so the segmenter is skipped.
  if (SIMPLE.test(s)) return s.length
  let n = 0
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
