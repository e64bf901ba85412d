import type { JWTPayload } from 'jose'

/**
 * The claims of a token when no `claims` schema is given: the JWT payload as it was signed.
 *
 * @example
 * const identity: Identity<DefaultClaims> = await auth.verify(token)
 */
export type DefaultClaims = JWTPayload

/**
 * Where a verified token came from.
 *
 * @example
 * if (identity.source === 'cookie') checkCsrf(request)
 */
export type TokenSource = 'cookie' | 'bearer' | 'session' | 'direct'

/**
 * Who made a request, as proven by a verified token. `claims` has the type of the `claims` schema
 * given to `createAuth`, or {@link DefaultClaims} without one.
 *
 * @example
 * const identity = await auth.verify(token)
 * identity.subject // 'alice'
 */
export interface Identity<Claims = DefaultClaims> {
  /** The `sub` claim. */
  readonly subject: string
  /** The `iss` claim, one of the configured issuers. */
  readonly issuer: string
  /** The `aud` claim as an array (empty when the token had none). */
  readonly audience: readonly string[]
  /** Scopes granted, from `scope` (space-delimited) and `scp` (array or string); for a session token, from `issue({ scopes })` only. */
  readonly scopes: readonly string[]
  /** Roles granted, from the configured role claims; for a session token, from `issue({ roles })` only. */
  readonly roles: readonly string[]
  /** The `sid` claim, when present. */
  readonly sessionId: string | undefined
  /** The `exp` claim as a date, when present. */
  readonly expiresAt: Date | undefined
  /** The `iat` claim as a date, when present. */
  readonly issuedAt: Date | undefined
  /** The `kid` of the key that verified the token, when the token named one. */
  readonly keyId: string | undefined
  /** Where the token came from. */
  readonly source: TokenSource
  /** The claims, validated by the `claims` schema when one is given. */
  readonly claims: Claims
  /** The raw verified payload. */
  readonly payload: Readonly<JWTPayload>
}

/**
 * Where roles are read from in the payload.
 *
 * @example
 * createAuth({ issuer, audience, jwks, roles: { claims: ['https://example.com/roles'] } })
 */
export interface RoleOptions {
  /**
   * Claim names holding roles, as arrays or space-delimited strings; dotted paths reach into
   * objects (Keycloak's `realm_access.roles`).
   * @default ['roles', 'role', 'realm_access.roles']
   */
  claims?: readonly string[]
}

export const DEFAULT_ROLE_CLAIMS = ['roles', 'role', 'realm_access.roles'] as const

/**
 * Roles and scopes of a token: from the configured role claims and `scope`/`scp`, except for a
 * session token (`fromSessions`), whose roles come only from the `roles` claim `issue({ roles })`
 * writes and whose scopes only from the `scope` claim `issue({ scopes })` writes. Whatever the
 * `roles` option reads (`groups`, `resource_access.api.roles`, a key spelling a dotted path), a
 * session's free-form `claims` never become rights.
 *
 * @example
 * grantsOf({ groups: ['admin'], roles: ['user'] }, ['groups'], true) // { roles: ['user'], scopes: [] }
 */
export function grantsOf(
  payload: JWTPayload,
  roleClaims: readonly string[],
  fromSessions: boolean,
): { roles: string[]; scopes: string[] } {
  if (!fromSessions) return { roles: rolesOf(payload, roleClaims), scopes: scopesOf(payload) }
  return { roles: [...new Set(stringList(payload.roles))], scopes: [...new Set(stringList(payload.scope))] }
}

function readPath(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path]
  let value: unknown = payload
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean)
  if (Array.isArray(value))
    return value.filter((item): item is string => typeof item === 'string' && item !== '')
  return []
}

/**
 * Scopes from `scope` (RFC 8693 4.2, space-delimited) and `scp` (array or string).
 *
 * @example
 * scopesOf({ scope: 'read write', scp: ['admin'] }) // ['read', 'write', 'admin']
 */
export function scopesOf(payload: JWTPayload): string[] {
  const scopes = new Set([...stringList(payload.scope), ...stringList(payload.scp)])
  return [...scopes]
}

/**
 * Roles from the configured claims, deduplicated, in order.
 *
 * @example
 * rolesOf({ realm_access: { roles: ['admin'] } }, ['realm_access.roles']) // ['admin']
 */
export function rolesOf(payload: JWTPayload, claims: readonly string[]): string[] {
  const roles = new Set<string>()
  for (const claim of claims) for (const role of stringList(readPath(payload, claim))) roles.add(role)
  return [...roles]
}
