/**
 * Every error leaves the server as JSON `{error: {code, message}}` with the words
 * from src/shared/messages.ts, in the language the request prefers.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiError } from '../shared/protocol'
import { langFromAcceptLanguage, message, type Lang, type MessageCode, type MessageParams } from '../shared/messages'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: MessageCode,
    readonly headers: Record<string, string> = {},
    /** words for the message's placeholders, per language (whom to ask, how long to wait) */
    readonly params?: Record<Lang, MessageParams>,
  ) {
    super(code)
    this.name = 'HttpError'
  }
}

export function langOf(req: FastifyRequest): Lang {
  const h = req.headers['accept-language']
  return langFromAcceptLanguage(Array.isArray(h) ? h[0] : h)
}

export function errorBody(code: MessageCode, lang: Lang, params?: MessageParams): ApiError {
  return { error: { code, message: message(code, lang, params) } }
}

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: MessageCode,
  headers: Record<string, string> = {},
  params?: Record<Lang, MessageParams>,
): FastifyReply {
  const lang = langOf(req)
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send(errorBody(code, lang, params?.[lang]))
}

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
}

/** Maps anything thrown to a status and a message code. */
export function classify(err: unknown): { status: number; code: MessageCode; headers?: Record<string, string>; params?: Record<Lang, MessageParams> } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, headers: err.headers, ...(err.params ? { params: err.params } : {}) }
  const code = errCode(err)
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'too_large' }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'bad_json' }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'bad_request' }
    case 'SQLITE_FULL':
      return { status: 507, code: 'server_error' }
    case 'SQLITE_BUSY':
      return { status: 503, code: 'server_error', headers: { 'retry-after': '2' } }
  }
  const status = (err as Partial<FastifyError>)?.statusCode
  // secure-json-parse's prototype-poisoning errors are SyntaxErrors with a 400
  if (err instanceof SyntaxError && status === 400) return { status: 400, code: 'bad_json' }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: status === 404 ? 'not_found' : status === 413 ? 'too_large' : 'bad_request' }
  }
  return { status: 500, code: 'server_error' }
}
