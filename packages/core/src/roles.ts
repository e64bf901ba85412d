import { AuthError } from './errors.js'
import type { Identity } from './identity.js'
import { type MatchOptions, matches } from './scopes.js'

type Holder = Pick<Identity<unknown>, 'roles'> | null | undefined

/**
 * True when the identity holds the roles.
 *
 * @example
 * hasRoles(identity, ['admin'])
 */
export function hasRoles(identity: Holder, roles: readonly string[], options: MatchOptions = {}): boolean {
  return identity != null && matches(identity.roles, roles, options.mode)
}

/**
 * Throws a 403 `forbidden` {@link AuthError} unless the identity holds the roles
 * (or a 401 `token_missing` when there is no identity).
 *
 * @example
 * requireRoles(identity, ['admin', 'finance'], { mode: 'any' })
 */
export function requireRoles(identity: Holder, roles: readonly string[], options: MatchOptions = {}): void {
  if (identity == null) throw new AuthError('token_missing', 'authentication is required')
  if (!matches(identity.roles, roles, options.mode))
    throw new AuthError(
      'forbidden',
      `requires ${options.mode === 'any' ? 'one of the' : 'the'} roles: ${roles.join(' ')}`,
      { roles },
    )
}
