import type { Auth } from '../create-auth.js'
import { AuthError } from '../errors.js'
import type { Identity } from '../identity.js'
import type { RequestLike } from '../internal/headers.js'

/**
 * What {@link verifyRenewal} concludes: the new identity, a rejection that leaves the connection as
 * it was (an invalid or expired new token), or a mismatch that must end the connection.
 *
 * @example
 * const outcome: RenewalOutcome = await verifyRenewal(auth, current, { authorization: `Bearer ${token}` })
 */
export type RenewalOutcome<Claims = unknown> =
  | { readonly status: 'renewed'; readonly identity: Identity<Claims> }
  | { readonly status: 'rejected'; readonly error: AuthError }
  | { readonly status: 'mismatch'; readonly error: AuthError }

/**
 * Verifies a new credential for an open connection (a WebSocket) whose identity is `current`: with
 * `authenticate`, like any other request, never refreshing. It must name the same subject and
 * issuer; another one is a `mismatch`, and the caller closes the connection.
 *
 * @example
 * const outcome = await verifyRenewal(auth, ctx.identity, { authorization: `Bearer ${token}` })
 * if (outcome.status === 'mismatch') socket.close(4403, outcome.error.message)
 */
export async function verifyRenewal<Claims>(
  auth: Pick<Auth<Claims>, 'authenticate'>,
  current: Identity<unknown>,
  credentials: RequestLike,
): Promise<RenewalOutcome<Claims>> {
  const result = await auth.authenticate(credentials, { refresh: false })
  if (result.status === 'rejected') return { status: 'rejected', error: result.error }
  if (result.status === 'anonymous')
    return { status: 'rejected', error: new AuthError('token_missing', 'the renewal carries no token') }
  const { identity } = result
  if (identity.subject !== current.subject || identity.issuer !== current.issuer)
    return {
      status: 'mismatch',
      error: new AuthError('claim_invalid', 'the renewal names another subject or issuer'),
    }
  return { status: 'renewed', identity }
}
