import { AuthError } from './auth-error.js'
import type { DpopChallenge } from './challenge.js'

/**
 * The error with a verifier's challenge parameters (`realm`, `resource_metadata`) added where it has
 * none, so a rejection raised outside the verifier challenges like one raised inside it.
 *
 * @example
 * withChallenge(new AuthError('token_missing', 'authentication is required'), { realm: 'api' }).wwwAuthenticate
 * // 'Bearer realm="api"'
 */
export function withChallenge(
  error: AuthError,
  challenge: {
    readonly realm?: string | undefined
    readonly resourceMetadata?: string | undefined
    readonly dpop?: DpopChallenge | undefined
  },
): AuthError {
  const realm = error.realm ?? challenge.realm
  const resourceMetadata = error.resourceMetadata ?? challenge.resourceMetadata
  const dpop = error.dpop ?? challenge.dpop
  if (realm === error.realm && resourceMetadata === error.resourceMetadata && dpop === error.dpop)
    return error
  return new AuthError(error.code, error.message, {
    realm,
    resourceMetadata,
    scopes: error.scopes,
    roles: error.roles,
    status: error.status,
    cause: error.cause,
    dpop,
    scheme: error.scheme,
    dpopNonce: error.dpopNonce,
  })
}
