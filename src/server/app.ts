/**
 * The HTTP server: the JSON API under /api/v1 and the built PWA on the same port.
 * Tests build it over a temp database (SQLite or PostgreSQL) and drive it through `app.inject()`.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions, type FastifyReply, type FastifyRequest } from 'fastify'
import type { PushLimits, Storage } from './storage'
import { authenticate, bearerToken, DEFAULT_LOGIN_THROTTLE, type LoginThrottle } from './auth'
import { classify, sendError } from './errors'
import { registerStatic } from './static'
import { HSTS, type TrustProxy } from './proxy'
import { authRoutes } from './routes/auth'
import { orgRoutes } from './routes/org'
import { peopleRoutes } from './routes/people'
import { syncRoutes } from './routes/sync'
import { handoverRoutes } from './routes/handover'
import { ledgerRoutes } from './routes/ledger'
import { quarantineRoutes } from './routes/quarantine'
import { accountRoutes } from './routes/accounts'
import { MIN_PROTOCOL, PROTOCOL_HEADER, type About } from '../shared/protocol'
import type { SessionUser } from '../shared/roles'

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller, set for every authenticated /api route */
    user: SessionUser | null
    tokenHash: string | null
  }
  interface FastifyContextConfig {
    /** reachable without a bearer token */
    public?: boolean
  }
}

export interface AppOptions {
  /** SQLite or PostgreSQL (see storage.ts); the caller opens and closes it */
  storage: Storage
  /** the built PWA (vite's `dist/`); without it `/` explains how to build */
  distDir?: string
  /** the server clock, replaceable in tests */
  now?: () => number
  logger?: boolean
  /** honour X-Forwarded-For/-Proto from exactly these proxy hops or addresses (proxy.ts); never every hop */
  trustProxy?: TrustProxy
  /** the database holds the demo accounts (the login page shows 演示数据) */
  demo?: boolean
  /** how failed logins slow down the next (auth.ts); DEFAULT_LOGIN_THROTTLE unless a test needs another */
  loginThrottle?: LoginThrottle
  /** per-account push limits; default DEFAULT_PUSH_LIMITS */
  pushLimits?: PushLimits
  /** ms a client may take to send one whole request, body included (a slow-loris body is cut); default REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
}

/**
 * What one account may push (README "Abuse limits"): a week offline at a busy
 * building is a few hundred records, a restore's re-send a few thousand over some
 * minutes; a day's honest pushes are well under 1 MB.
 */
export const DEFAULT_PUSH_LIMITS: PushLimits = { recordsPerMinute: 1000, bytesPerDay: 20 * 1024 * 1024 }

/**
 * A request must arrive whole within this long: a 2 MB push takes about a minute at
 * 30 KB/s, and the device itself gives up after 30 s (src/app/sync/transport.ts).
 */
export const REQUEST_TIMEOUT_MS = 60_000
/** A socket silent this long is closed (an idle keep-alive, or a client gone mid-body). */
export const CONNECTION_TIMEOUT_MS = 120_000

/** What route plugins share. */
export interface AppContext {
  storage: Storage
  now: () => number
  loginThrottle: LoginThrottle
  pushLimits: PushLimits
}

/** Routes a person who must still replace a one-time code may call. */
const WHILE_CHANGING_PASSWORD = new Set(['/api/v1/me', '/api/v1/auth/password', '/api/v1/auth/logout', '/api/v1/about'])

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
    "manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
}

/** Query parameters worth seeing in a log; any other value (a password someone put in a URL) is hidden. */
const LOGGED_PARAMS = new Set(['after', 'limit'])

/** The URL as logged: the path, and only known harmless query values. */
export function loggedUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = new URLSearchParams(url.slice(q + 1))
  const shown = [...params.keys()].map((k) => `${encodeURIComponent(k)}=${LOGGED_PARAMS.has(k) ? encodeURIComponent(params.get(k) ?? '') : '[redacted]'}`)
  return `${url.slice(0, q)}?${shown.join('&')}`
}

/** Requests that are not JSON API calls: only the login route's body and small JSON elsewhere. */
const DEFAULT_BODY_LIMIT = 64 * 1024

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  // a hop count as a function: trust the first `n` hops from the socket, no further
  const tp = opts.trustProxy ?? false
  const requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
  const trustProxy: FastifyServerOptions['trustProxy'] = typeof tp === 'number' ? (_address: string, hop: number) => hop < tp : tp
  const app = Fastify({
    logger: opts.logger
      ? {
          level: 'info',
          redact: { paths: ['req.headers.authorization', 'req.body', 'body.password'], censor: '[redacted]' },
          serializers: {
            req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: loggedUrl(req.url), remoteAddress: req.ip }),
          },
        }
      : false,
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy,
    requestTimeout: requestTimeoutMs,
    connectionTimeout: Math.max(CONNECTION_TIMEOUT_MS, requestTimeoutMs),
    // Node checks requestTimeout every connectionsCheckingInterval (30 s by default): check often enough to keep it;
    // a headers timeout longer than the request's would keep a slow body alive past it
    http: { connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.floor(requestTimeoutMs / 4))), headersTimeout: requestTimeoutMs },
  })
  const now = opts.now ?? Date.now
  const ctx: AppContext = {
    storage: opts.storage,
    now,
    loginThrottle: opts.loginThrottle ?? DEFAULT_LOGIN_THROTTLE,
    pushLimits: opts.pushLimits ?? DEFAULT_PUSH_LIMITS,
  }

  app.decorateRequest('user', null)
  app.decorateRequest('tokenHash', null)

  // Security headers on every response, static files and errors included.
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS)
    // over HTTPS (directly, or as the trusted proxy's X-Forwarded-Proto says): stay on HTTPS
    if (req.protocol === 'https') reply.header('strict-transport-security', HSTS)
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store')
  })

  // The API gate: protocol version, then the bearer token.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/')) return
    const proto = req.headers[PROTOCOL_HEADER]
    if (proto !== undefined) {
      const n = Number(Array.isArray(proto) ? proto[0] : proto)
      if (!(n >= MIN_PROTOCOL)) return sendError(req, reply, 426, 'outdated_client')
    }
    const route = req.routeOptions.url
    // unknown /api paths fall through to the JSON 404
    if (!route?.startsWith('/api/') || req.routeOptions.config.public) return
    const auth = await authenticate(ctx.storage, bearerToken(req.headers.authorization), now())
    if (!auth.ok) return sendError(req, reply, auth.code === 'account_disabled' ? 403 : 401, auth.code)
    req.user = auth.user
    req.tokenHash = auth.tokenHash
    // a one-time code from staff opens nothing but the way to a password of one's own
    if (auth.user.mustChangePassword && !WHILE_CHANGING_PASSWORD.has(route)) return sendError(req, reply, 403, 'password_change_required')
  })

  app.setErrorHandler((err, req, reply) => {
    const { status, code, headers, params } = classify(err)
    if (status >= 500) {
      if (opts.logger) req.log.error({ err }, 'request failed')
      else if (process.env.NODE_ENV !== 'test') console.error(`[loudong] ${req.method} ${req.url.split('?')[0]}: ${err instanceof Error ? err.message : String(err)}`)
    }
    return sendError(req, reply, status, code, headers, params)
  })

  app.get('/api/v1/health', { config: { public: true } }, async () => ({ ok: true }))
  // read by the login page before anyone logs in
  app.get('/api/v1/about', { config: { public: true } }, async (): Promise<About> => ({ demo: opts.demo ?? false }))
  await app.register(authRoutes(ctx))
  await app.register(orgRoutes(ctx))
  await app.register(peopleRoutes(ctx))
  await app.register(syncRoutes(ctx))
  await app.register(handoverRoutes(ctx))
  await app.register(ledgerRoutes(ctx))
  await app.register(quarantineRoutes(ctx))
  await app.register(accountRoutes(ctx))
  await registerStatic(app, opts.distDir)

  return app
}
