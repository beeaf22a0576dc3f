/**
 * The protocol's constants and the answers the login page reads (about, the user),
 * apart from the rest of the wire protocol (protocol.ts re-exports them): the
 * login page loads these without the record schemas.
 */
import * as v from 'valibot'
import { ROLES } from './roles'

export const API_PREFIX = '/api/v1'
export const PROTOCOL_VERSION = 1
export const MIN_PROTOCOL = 1
export const PROTOCOL_HEADER = 'x-loudong-protocol'

/** GET /api/v1/about (public): what the login page shows before anyone logs in. */
export const About = v.object({ demo: v.boolean() })
export type About = v.InferOutput<typeof About>

/** The signed-in person as login and password answers carry them. */
export const SessionUserSchema = v.object({
  id: v.string(),
  name: v.string(),
  phone: v.string(),
  role: v.picklist(ROLES),
  scopes: v.array(v.string()),
  mustChangePassword: v.optional(v.boolean()),
})
