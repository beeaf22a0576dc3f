/** Types for scripts/compress-dist.mjs (imported by the server tests). */
export interface CompressTotals {
  files: number
  /** bytes */
  raw: number
  br: number
  gz: number
}

/** Writes `.br` and `.gz` beside every text asset under `dir`/assets that they make smaller. */
export function compressDist(dir: string): CompressTotals
