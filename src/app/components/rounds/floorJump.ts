/** A building this tall or taller gets a floor jump above its grid: below it, the whole grid fits in a few thumb swipes. */
export const FLOOR_JUMP_FROM = 12

/**
 * The floors a jump offers, top first: the top floor, every `step`th floor
 * below it, and the ground floor. Step 5 keeps a 33-storey tower to 8 buttons,
 * which wrap into two rows on a 360 px phone at the largest text.
 */
export function jumpFloors(floors: number, step = 5): number[] {
  if (floors < FLOOR_JUMP_FROM) return []
  const out = [floors]
  for (let f = Math.floor((floors - 1) / step) * step; f > 1; f -= step) out.push(f)
  out.push(1)
  return out
}
