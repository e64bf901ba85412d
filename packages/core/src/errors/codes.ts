/**
 * Stable reason codes carried by every {@link AuthError}. Switch on these, never on messages.
 *
 * @example
 * if (error.code === 'token_expired') refreshAndRetry()
 */
export type AuthErrorCode =
  | 'token_missing'
  | 'token_malformed'
  | 'token_ambiguous'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_type_invalid'
  | 'signature_invalid'
  | 'algorithm_not_allowed'
  | 'key_not_found'
  | 'claim_invalid'
  | 'azp_invalid'
  | 'revoked'
  | 'token_inactive'
  | 'refresh_reused'
  | 'insufficient_scope'
  | 'forbidden'
  | 'jwks_unavailable'
  | 'store_unavailable'
  | 'introspection_unavailable'
  | 'dpop_proof_missing'
  | 'dpop_proof_invalid'
  | 'dpop_replayed'
  | 'dpop_nonce_required'
  | 'dpop_binding_invalid'
  | 'revocation_unavailable'

/**
 * HTTP statuses an {@link AuthError} maps to.
 *
 * @example
 * response.status = error.status // 400 | 401 | 403 | 503
 */
export type AuthErrorStatus = 400 | 401 | 403 | 503

/** The usual HTTP status of each code; a rejection may carry another (see `AuthErrorOptions.status`). */
export const STATUS: Record<AuthErrorCode, AuthErrorStatus> = {
  token_missing: 401,
  token_malformed: 401,
  // RFC 6750 3.1: more than one method carrying a token is a malformed request.
  token_ambiguous: 400,
  token_expired: 401,
  token_not_yet_valid: 401,
  token_type_invalid: 401,
  signature_invalid: 401,
  algorithm_not_allowed: 401,
  key_not_found: 401,
  claim_invalid: 401,
  // OIDC Core 2: the token was issued to a client (`azp`) this API does not serve.
  azp_invalid: 401,
  revoked: 401,
  // RFC 7662: the authorization server says the token is not (or no longer) active.
  token_inactive: 401,
  refresh_reused: 401,
  insufficient_scope: 403,
  forbidden: 403,
  jwks_unavailable: 503,
  store_unavailable: 503,
  introspection_unavailable: 503,
  // RFC 9449 7.1: a missing, invalid or replayed proof is `invalid_dpop_proof`; a bad binding is `invalid_token`.
  dpop_proof_missing: 401,
  dpop_proof_invalid: 401,
  dpop_replayed: 401,
  // RFC 9449 9: `use_dpop_nonce`, with the nonce to use in `DPoP-Nonce`.
  dpop_nonce_required: 401,
  dpop_binding_invalid: 401,
  // The `revoked` hook threw or rejected: whether the token is revoked cannot be told right now.
  revocation_unavailable: 503,
}
