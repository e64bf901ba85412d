import { AuthError } from './errors.js'
import type { Identity } from './identity.js'

/**
 * Whether every listed scope (`mode: 'all'`, the default) or at least one (`'any'`) is needed.
 *
 * @example
 * requireScopes(identity, ['read', 'admin'], { mode: 'any' })
 */
export interface MatchOptions {
  /** @default 'all' */
  mode?: 'all' | 'any'
}

type Holder = Pick<Identity<unknown>, 'scopes'> | null | undefined

/**
 * Whether `list` satisfies `required` under `mode`. An empty requirement is always met.
 *
 * @example
 * matches(['read', 'write'], ['read']) // true
 */
export function matches(
  list: readonly string[],
  required: readonly string[],
  mode: 'all' | 'any' = 'all',
): boolean {
  if (required.length === 0) return true
  return mode === 'any'
    ? required.some((item) => list.includes(item))
    : required.every((item) => list.includes(item))
}

/**
 * True when the identity holds the scopes.
 *
 * @example
 * hasScopes(identity, ['read:reports']) // true or false
 */
export function hasScopes(identity: Holder, scopes: readonly string[], options: MatchOptions = {}): boolean {
  return identity != null && matches(identity.scopes, scopes, options.mode)
}

/**
 * Throws a 403 `insufficient_scope` {@link AuthError} unless the identity holds the scopes
 * (or a 401 `token_missing` when there is no identity).
 *
 * @example
 * requireScopes(identity, ['read:reports', 'write:reports'], { mode: 'any' })
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function requireScopes(identity: Holder, scopes: readonly string[], options: MatchOptions = {}): void {
  if (identity == null) throw new AuthError('token_missing', 'authentication is required')
  if (!matches(identity.scopes, scopes, options.mode))
    throw new AuthError(
      'insufficient_scope',
      `requires ${options.mode === 'any' ? 'one of the' : 'the'} scopes: ${scopes.join(' ')}`,
      {
        scopes,
      },
    )
}
