/**
 * Chunks the service worker does not install with the app (the precache), so
 * a phone installs only what works offline on it: ECharts (the 台账 trend
 * chart, desk staff's, ≈ 1 MB) and screens whose content is the server's
 * answer, useless offline: account management, the password change, the audit
 * trail and the quarantine list (offline such a screen says to try with a
 * network, router/chunkReload.ts).
 * Each is cached by the service worker the first time it is fetched
 * (src/app/sw.ts), so after one use it opens from the cache like the rest.
 * English (`lang-en`) stays precached: a phone set to English must open in a
 * stairwell even if its first English screen was shown before the service worker
 * took over. Names are the chunks' (vite.config.ts names `echarts`; the
 * screens' chunks carry their component's name).
 */
export const LAZY_CHUNKS = ['echarts', 'MeAccounts', 'MePassword', 'AuditView', 'QuarantineList'] as const

/** A built asset of one of LAZY_CHUNKS: `/assets/<name>-<hash>.js` or `.css`. */
export const LAZY_ASSET = new RegExp(`^/assets/(${LAZY_CHUNKS.join('|')})-[\\w-]+\\.(js|css)$`)
