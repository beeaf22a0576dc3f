/**
 * The 账号管理 screen's calls to /api/v1/accounts (the server enforces who may do
 * what: src/shared/accounts.ts). Every answer is read through the shared schemas.
 */
import * as v from 'valibot'
import { AccountAnswer, AccountList, type EditAccountRequest, type NewAccountRequest } from '@shared/accounts'
import { t } from '@app/i18n'
import { ApiProblem, call } from '@app/auth/api'

function read<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, body)
  if (!parsed.success) throw new ApiProblem(t('auth.errors.server'), 'http')
  return parsed.output
}

/** The accounts the caller may manage. Throws ApiProblem. */
export async function listAccounts(token: string): Promise<AccountList['accounts']> {
  return read(AccountList, await call<unknown>('/accounts', { method: 'GET', token })).accounts
}

/** A new account; the answer carries its one-time code. */
export async function addAccount(token: string, body: NewAccountRequest): Promise<AccountAnswer> {
  return read(AccountAnswer, await call<unknown>('/accounts', { method: 'POST', token, body: JSON.stringify(body) }))
}

export async function editAccount(token: string, id: string, body: EditAccountRequest): Promise<AccountAnswer> {
  return read(AccountAnswer, await call<unknown>(`/accounts/${encodeURIComponent(id)}`, { method: 'PATCH', token, body: JSON.stringify(body) }))
}

/** disable, enable, or reset (the answer then carries a one-time code) */
export async function accountAction(token: string, id: string, action: 'disable' | 'enable' | 'reset'): Promise<AccountAnswer> {
  return read(AccountAnswer, await call<unknown>(`/accounts/${encodeURIComponent(id)}/${action}`, { method: 'POST', token }))
}
