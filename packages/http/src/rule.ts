import { type Auth, AuthError, type Identity, matches, requireRoles, requireScopes } from '@portcullis/core'

/**
 * What a route needs beyond a verified identity: scopes, roles, and whether all or any of each.
 *
 * @example
 * app.get('/reports', requireAuth({ scopes: ['read:reports'] }), listReports)
 */
export interface RequireAuthOptions {
  /** Scopes the token must hold (RFC 6750 `insufficient_scope` when it does not). @default [] */
  scopes?: readonly string[]
  /** Roles the token must hold (`forbidden` when it does not). @default [] */
  roles?: readonly string[]
  /** Whether every listed scope and role is needed (`'all'`) or one of each list (`'any'`). @default 'all' */
  mode?: 'all' | 'any'
}

/**
 * {@link RequireAuthOptions} checked once, at construction.
 *
 * @example
 * const rule: Rule = normalizeRule({ roles: ['admin'] }) // { scopes: [], roles: ['admin'], mode: 'all' }
 */
export interface Rule {
  readonly scopes: readonly string[]
  readonly roles: readonly string[]
  readonly mode: 'all' | 'any'
}

function stringList(value: unknown, name: string): readonly string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== ''))
    throw new TypeError(`"${name}" must be an array of non-empty strings`)
  return Object.freeze([...value])
}

/**
 * Checks a route's options once, when the route is declared: a mistake throws a `TypeError`
 * naming the option, instead of letting every request through.
 *
 * @example
 * const rule = normalizeRule({ scopes: ['read:reports'], mode: 'any' })
 */
export function normalizeRule(options: RequireAuthOptions | undefined): Rule {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError('requireAuth options must be an object')
  const mode = options?.mode ?? 'all'
  if (mode !== 'all' && mode !== 'any') throw new TypeError('"mode" must be "all" or "any"')
  return {
    scopes: stringList(options?.scopes, 'scopes'),
    roles: stringList(options?.roles, 'roles'),
    mode,
  }
}

/**
 * Why an identity may not pass a route (core's scope and role checks, challenging with the
 * verifier's `realm` and RFC 9728 `resource_metadata`; a string is a `realm` alone), or undefined
 * when it may. A missing identity is a 401 `token_missing`.
 *
 * @example
 * const error = accessError(identity, normalizeRule({ roles: ['admin'] }), auth)
 * if (error) return new Response(null, { status: error.status })
 */
export function accessError(
  identity: Identity<unknown> | null,
  rule: Rule,
  challenge: string | undefined | Pick<Auth<unknown>, 'challenge'>,
): AuthError | undefined {
  // The common case first, without a try block or an options object per request.
  if (
    identity !== null &&
    matches(identity.scopes, rule.scopes, rule.mode) &&
    matches(identity.roles, rule.roles, rule.mode)
  )
    return undefined
  try {
    requireScopes(identity, rule.scopes, { mode: rule.mode })
    requireRoles(identity, rule.roles, { mode: rule.mode })
    return undefined
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    // The verifier adds its realm and RFC 9728 resource_metadata; a bare string is a realm alone.
    if (typeof challenge === 'object' && typeof challenge.challenge === 'function')
      return challenge.challenge(error)
    const realm = typeof challenge === 'string' ? challenge : undefined
    if (realm === undefined) return error
    // Core's checks know no realm: the challenge names the one the verifier was configured with.
    return new AuthError(error.code, error.message, {
      ...(error.scopes ? { scopes: error.scopes } : {}),
      ...(error.roles ? { roles: error.roles } : {}),
      realm,
    })
  }
}
