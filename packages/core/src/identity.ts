import type { JWTPayload } from 'jose'
import { AuthError } from './errors.js'

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
  /** Scopes granted, from the configured scope claims (`scope` and `scp` by default); for a session token, from `issue({ scopes })` only. */
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

/**
 * Where scopes are read from in the payload, e.g. Auth0's `permissions` array besides `scope`.
 *
 * @example
 * createAuth({ issuer, audience, jwks, scopes: { claims: ['scope', 'permissions'] } })
 */
export interface ScopeOptions {
  /**
   * Claim names holding scopes, as space-delimited strings (RFC 8693 4.2 `scope`) or arrays of
   * strings (`scp`, Auth0's `permissions`); dotted paths reach into objects, like role claims. Their
   * scopes are merged, in order, without duplicates. Session tokens ignore it (their scopes come from
   * `issue({ scopes })` only); introspected tokens always read RFC 7662's `scope` besides these.
   * @default ['scope', 'scp']
   */
  claims?: readonly string[]
}

/**
 * The role claims read when `roles.claims` is not given.
 *
 * @example
 * rolesOf(payload, DEFAULT_ROLE_CLAIMS)
 */
export const DEFAULT_ROLE_CLAIMS = ['roles', 'role', 'realm_access.roles'] as const

/**
 * The scope claims read when `scopes.claims` is not given: RFC 8693's `scope` and the `scp` of
 * Azure AD and Okta. Auth0's `permissions` is not among them: it grants nothing unless listed.
 *
 * @example
 * scopesOf(payload, DEFAULT_SCOPE_CLAIMS)
 */
export const DEFAULT_SCOPE_CLAIMS = ['scope', 'scp'] as const

/**
 * The most entries one role or scope claim may hold; a token with more is refused (`claim_invalid`)
 * rather than cut short, since no IdP issues that many and matching them would cost every request.
 *
 * @example
 * if (permissions.length > MAX_GRANTS_PER_CLAIM) console.warn('this token will be refused')
 */
export const MAX_GRANTS_PER_CLAIM = 1024

/**
 * The claims grants are read from, normalized (see `claimPaths`).
 *
 * @example
 * const claims: GrantClaims = { roles: DEFAULT_ROLE_CLAIMS, scopes: ['scope', 'permissions'] }
 */
export interface GrantClaims {
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
}

const DEFAULT_GRANT_CLAIMS: GrantClaims = { roles: DEFAULT_ROLE_CLAIMS, scopes: DEFAULT_SCOPE_CLAIMS }

/**
 * Roles and scopes of a token: from the configured role and scope claims, except for a session
 * token (`fromSessions`), whose roles come only from the `roles` claim `issue({ roles })` writes and
 * whose scopes only from the `scope` claim `issue({ scopes })` writes. Whatever the `roles` and
 * `scopes` options read (`groups`, `permissions`, a key spelling a dotted path), a session's
 * free-form `claims` never become rights. Throws `claim_invalid` for a claim with more than
 * {@link MAX_GRANTS_PER_CLAIM} entries.
 *
 * @example
 * grantsOf({ groups: ['admin'], roles: ['user'] }, { roles: ['groups'], scopes: ['scope'] }, true) // { roles: ['user'], scopes: [] }
 */
export function grantsOf(
  payload: JWTPayload,
  claims: GrantClaims,
  fromSessions: boolean,
): { roles: string[]; scopes: string[] } {
  if (!fromSessions)
    return { roles: rolesOf(payload, claims.roles), scopes: scopesOf(payload, claims.scopes) }
  return { roles: listOf(payload, ['roles']), scopes: listOf(payload, ['scope']) }
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

/** The strings of a claim: a space-delimited string, or an array whose non-string entries grant nothing. */
function stringList(value: unknown, claim: string): string[] {
  const list = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : undefined
  if (list === undefined) return []
  if (list.length > MAX_GRANTS_PER_CLAIM)
    throw new AuthError('claim_invalid', `"${claim}" claim holds more than ${MAX_GRANTS_PER_CLAIM} entries`)
  return list.filter((item): item is string => typeof item === 'string' && item !== '')
}

function listOf(payload: JWTPayload, claims: readonly string[]): string[] {
  const found = new Set<string>()
  for (const claim of claims) for (const item of stringList(readPath(payload, claim), claim)) found.add(item)
  return [...found]
}

/**
 * Scopes from the given claims (default `scope`, RFC 8693 4.2, space-delimited, and `scp`, array or
 * string), deduplicated, in order.
 *
 * @example
 * scopesOf({ scope: 'read write', scp: ['admin'] }) // ['read', 'write', 'admin']
 * scopesOf({ scope: 'openid', permissions: ['read:reports'] }, ['scope', 'permissions']) // ['openid', 'read:reports']
 */
export function scopesOf(
  payload: JWTPayload,
  claims: readonly string[] = DEFAULT_GRANT_CLAIMS.scopes,
): string[] {
  return listOf(payload, claims)
}

/**
 * Roles from the configured claims, deduplicated, in order.
 *
 * @example
 * rolesOf({ realm_access: { roles: ['admin'] } }, ['realm_access.roles']) // ['admin']
 */
export function rolesOf(payload: JWTPayload, claims: readonly string[]): string[] {
  return listOf(payload, claims)
}

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor'])

/**
 * Checks the `claims` of the `roles` or `scopes` option at construction: a non-empty array of
 * non-empty claim names, no dotted segment reaching for `__proto__`, `prototype` or `constructor`.
 *
 * @example
 * claimPaths(['scope', 'permissions'], 'scopes.claims', DEFAULT_SCOPE_CLAIMS) // ['scope', 'permissions']
 */
export function claimPaths(
  value: readonly string[] | undefined,
  option: string,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback
  if (!Array.isArray(value) || value.length === 0)
    throw new TypeError(`"${option}" must be a non-empty array of claim names`)
  for (const [index, path] of value.entries()) {
    if (typeof path !== 'string' || path === '')
      throw new TypeError(`"${option}[${index}]" must be a non-empty string`)
    if (path.split('.').some((part) => FORBIDDEN_SEGMENTS.has(part)))
      throw new TypeError(`"${option}[${index}]" must not name __proto__, prototype or constructor`)
  }
  return Object.freeze([...new Set(value)])
}
