export const HOW_TO_INSTALL: string
export function findPgBin(): string | null
export function startCluster(opts?: { durable?: boolean; log?: boolean }): { url: string; dir: string; stop: () => void }
