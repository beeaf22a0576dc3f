/**
 * The protocol's constants and the one public answer the login page reads,
 * apart from the rest of the wire protocol (protocol.ts re-exports them): the
 * login page loads these without the record schemas.
 */
import * as v from 'valibot'

export const API_PREFIX = '/api/v1'
export const PROTOCOL_VERSION = 1
export const MIN_PROTOCOL = 1
export const PROTOCOL_HEADER = 'x-loudong-protocol'

/** GET /api/v1/about (public): what the login page shows before anyone logs in. */
export const About = v.object({ demo: v.boolean() })
export type About = v.InferOutput<typeof About>
