import { claimPaths, DEFAULT_ROLE_CLAIMS, DEFAULT_SCOPE_CLAIMS, type GrantClaims } from '../identity.js'
import type { AuthOptions } from '../options.js'

/**
 * Where roles and scopes are read from (`roles.claims`, `scopes.claims`), for tokens and for
 * introspection answers, whose RFC 7662 `scope` is always among the scope claims.
 */
export function grantsOf(options: Pick<AuthOptions<undefined>, 'roles' | 'scopes'>): {
  grants: GrantClaims
  introspectedGrants: GrantClaims
} {
  if (options.roles !== undefined && (typeof options.roles !== 'object' || options.roles === null))
    throw new TypeError('"roles" must be an object such as { claims: [...] }')
  if (options.scopes !== undefined && (typeof options.scopes !== 'object' || options.scopes === null))
    throw new TypeError('"scopes" must be an object such as { claims: [...] }')
  const grants: GrantClaims = {
    roles: claimPaths(options.roles?.claims, 'roles.claims', DEFAULT_ROLE_CLAIMS),
    scopes: claimPaths(options.scopes?.claims, 'scopes.claims', DEFAULT_SCOPE_CLAIMS),
  }
  const introspectedGrants = grants.scopes.includes('scope')
    ? grants
    : { roles: grants.roles, scopes: ['scope', ...grants.scopes] }
  return { grants, introspectedGrants }
}
