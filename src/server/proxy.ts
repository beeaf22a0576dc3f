/**
 * Running behind a TLS-terminating reverse proxy: which X-Forwarded-For hops to trust,
 * and what the server warns about at start. See the README's Deployment section.
 */
import { isIP } from 'node:net'
import { StartupError } from './db'

/**
 * What Fastify's `trustProxy` gets: a hop count (trust exactly that many proxies in front
 * of the server: the client address is the entry that many hops back, anything a client
 * wrote further left is ignored), or the proxies' own addresses/CIDRs; false without a proxy.
 */
export type TrustProxy = false | number | string[]

/**
 * Reads TRUST_PROXY: unset, '' or '0' → false; a whole number 1–10 → that many hops;
 * otherwise a comma-separated list of proxy addresses or CIDRs (e.g. `127.0.0.1,10.0.0.0/8`).
 * Never `true` (trust every hop): a client would pick its own address for the login limits
 * and the log. Throws StartupError on anything else.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = value?.trim() ?? ''
  if (v === '' || v === '0') return false
  if (/^\d+$/.test(v)) {
    const hops = Number(v)
    if (hops >= 1 && hops <= 10) return hops
  } else {
    const list = v.split(',').map((s) => s.trim()).filter(Boolean)
    const valid = (s: string) => {
      const [addr, bits, extra] = s.split('/')
      if (extra !== undefined || !addr || !isIP(addr)) return false
      if (bits === undefined) return true
      const n = Number(bits)
      return /^\d+$/.test(bits) && n <= (isIP(addr) === 4 ? 32 : 128)
    }
    if (list.length > 0 && list.every(valid)) return list
  }
  throw new StartupError(
    `TRUST_PROXY 无效:${v}(应为代理的层数,如 1;或代理的地址,如 127.0.0.1)`,
    `Invalid TRUST_PROXY: ${v} (the number of proxy hops, e.g. 1, or the proxies' addresses, e.g. 127.0.0.1)`,
  )
}

/** Addresses only this machine reaches. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/**
 * Lines printed at start: listening on an address other machines reach, without a TLS proxy
 * in front, means plain HTTP, where phones neither run the offline app nor offer to install it
 * and passwords cross the network readable.
 */
export function startupWarnings(opts: { host: string; trustProxy: TrustProxy }): string[] {
  if (isLoopback(opts.host) || opts.trustProxy !== false) return []
  return [
    `警告:服务器以明文 HTTP 向其他设备提供服务;手机只有在 HTTPS 下才能离线使用和安装,密码也会明文传输。请在前面放一个 HTTPS 反向代理并设置 TRUST_PROXY(见 README 的 Deployment 一节)`,
    `WARNING: serving other machines over plain HTTP; phones only run the offline app and install it over HTTPS, and passwords cross the network readable. Put an HTTPS reverse proxy in front and set TRUST_PROXY (README, Deployment)`,
  ]
}

/** Strict-Transport-Security for responses served over HTTPS (one year; the whole host). */
export const HSTS = 'max-age=31536000; includeSubDomains'
