/**
 * The account calls the shell makes. Record sync has its own client in
 * `sync/`; these stay separate so logging in works even if sync is broken.
 */
import * as v from 'valibot'
// the constants from their own small module: the login page must not pull in the record schemas
import { About, API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION, SessionUserSchema } from '@shared/apiBasics'
import type { ApiError, ChangePasswordRequest, LoginResponse, OrgResponse, PeopleResponse, SessionUser } from '@shared/index'
import { locale, t } from '@app/i18n'

/** A failed call, carrying words a person can read. */
export class ApiProblem extends Error {
  constructor(
    message: string,
    /** network: no answer at all; http: the server answered with an error */
    readonly kind: 'network' | 'http',
    readonly status = 0,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'ApiProblem'
  }
}

function headers(token?: string): Record<string, string> {
  return {
    Accept: 'application/json',
    'Accept-Language': locale.value === 'en' ? 'en' : 'zh-CN,zh;q=0.9',
    [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  }
}

/** One JSON call under /api/v1; throws ApiProblem with words for the person. Also used by the 账号管理 client (accounts/api.ts). */
export async function call<T>(path: string, init: RequestInit & { token?: string; timeoutMs?: number }): Promise<T> {
  const { token, timeoutMs = 15_000, ...rest } = init
  let res: Response
  try {
    res = await fetch(API_PREFIX + path, {
      ...rest,
      headers: { ...headers(token), ...(rest.body ? { 'Content-Type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
      cache: 'no-store',
    })
  } catch {
    throw new ApiProblem(t('auth.errors.offline'), 'network')
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const err = (body as Partial<ApiError> | null)?.error
    // the server already speaks the chosen language (Accept-Language)
    throw new ApiProblem(err?.message || t('auth.errors.server'), 'http', res.status, err?.code)
  }
  return body as T
}

export function postLogin(phone: string, password: string): Promise<LoginResponse> {
  return call<LoginResponse>('/auth/login', { method: 'POST', body: JSON.stringify({ phone, password }) })
}

export function getOrg(token: string): Promise<OrgResponse> {
  return call<OrgResponse>('/org', { method: 'GET', token })
}

export function getPeople(token: string): Promise<PeopleResponse> {
  return call<PeopleResponse>('/people', { method: 'GET', token })
}

export async function postLogout(token: string): Promise<void> {
  await call<unknown>('/auth/logout', { method: 'POST', token, timeoutMs: 4_000 })
}

/** One's own new password (`current` left out right after a one-time code's login); answers the user as it is now. */
export async function postPassword(token: string, body: ChangePasswordRequest): Promise<SessionUser> {
  const res = await call<{ user: unknown }>('/auth/password', { method: 'POST', token, body: JSON.stringify(body) })
  const parsed = v.safeParse(SessionUserSchema, res.user)
  if (!parsed.success) throw new ApiProblem(t('auth.errors.server'), 'http')
  return parsed.output
}

/** Ends every other session of the caller; answers how many. */
export async function postLogoutOthers(token: string): Promise<number> {
  const res = await call<{ revoked?: unknown }>('/auth/logout-others', { method: 'POST', token })
  return typeof res.revoked === 'number' ? res.revoked : 0
}

/** Whether the server holds the demo district (the login page says 演示数据). Throws ApiProblem offline or on a bad answer. */
export async function getAbout(): Promise<About> {
  const parsed = v.safeParse(About, await call<unknown>('/about', { method: 'GET', timeoutMs: 5_000 }))
  if (!parsed.success) throw new ApiProblem(t('auth.errors.server'), 'http')
  return parsed.output
}
