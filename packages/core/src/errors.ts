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

const STATUS: Record<AuthErrorCode, AuthErrorStatus> = {
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

/**
 * The DPoP challenge a verifier that accepts DPoP (RFC 9449) adds to its rejections.
 *
 * @example
 * const challenge: DpopChallenge = { algs: ['ES256'], bearer: true }
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export interface DpopChallenge {
  /** The proof algorithms accepted, reported as `algs`. */
  readonly algs: readonly string[]
  /** Whether plain `Bearer` tokens are accepted too: a `Bearer` challenge then comes first. */
  readonly bearer: boolean
}

/**
 * Options of an {@link AuthError} beyond its code and message.
 *
 * @example
 * new AuthError('insufficient_scope', 'requires write:reports', { scopes: ['write:reports'] })
 */
export interface AuthErrorOptions {
  /** A lower-level error. Never a token, secret or cookie value. */
  cause?: unknown
  /** Scopes that were required, for `insufficient_scope` (reported in `WWW-Authenticate`). */
  scopes?: readonly string[]
  /** Roles that were required, for `forbidden`. */
  roles?: readonly string[]
  /** The `realm` reported in `WWW-Authenticate`. */
  realm?: string
  /**
   * The protected-resource metadata URL reported as `resource_metadata` in `WWW-Authenticate`.
   * @see https://www.rfc-editor.org/rfc/rfc9728#section-5.1
   */
  resourceMetadata?: string
  /**
   * The HTTP status, when this rejection's differs from its code's usual one: 400 for a
   * `token_malformed` that is about the request (an `Authorization` header that is not
   * `Bearer <token>`) rather than about the token.
   * @default the code's status: 400 for `token_ambiguous`, 403 for `insufficient_scope` and `forbidden`, 503 for `*_unavailable`, else 401
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
   */
  status?: AuthErrorStatus
  /** The DPoP challenge to send beside (or, when Bearer is not accepted, instead of) the Bearer one. */
  dpop?: DpopChallenge
  /** The scheme the rejected credential was presented with: its challenge carries the `error`. */
  scheme?: 'Bearer' | 'DPoP'
  /**
   * A fresh server nonce, for `dpop_nonce_required`: send it as the `DPoP-Nonce` response header.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
   */
  dpopNonce?: string
}

/**
 * The one error every rejection is: a stable `code`, an HTTP `status`, and an RFC 6750 challenge.
 * Messages name the rule that failed and never contain a token, a secret or a cookie value.
 *
 * @example
 * try {
 *   await auth.verify(token)
 * } catch (error) {
 *   if (error instanceof AuthError) console.log(error.code, error.status)
 * }
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export class AuthError extends Error {
  /**
   * HTTP status: 400 (the request is malformed: RFC 6750 `invalid_request`), 401 (who are you?),
   * 403 (not allowed), 503 (cannot tell right now).
   */
  readonly status: AuthErrorStatus
  /** Scopes the request lacked, for `insufficient_scope`. */
  readonly scopes: readonly string[] | undefined
  /** Roles the request lacked, for `forbidden`. */
  readonly roles: readonly string[] | undefined
  /** The `realm` of the `WWW-Authenticate` challenge. */
  readonly realm: string | undefined
  /** The RFC 9728 `resource_metadata` URL of the challenge. */
  readonly resourceMetadata: string | undefined
  /** The DPoP challenge, when the verifier accepts DPoP proofs. */
  readonly dpop: DpopChallenge | undefined
  /** The scheme the rejected credential was presented with, when known. */
  readonly scheme: 'Bearer' | 'DPoP' | undefined
  /** The server nonce to send as the `DPoP-Nonce` response header (RFC 9449 8), when one is required. */
  readonly dpopNonce: string | undefined

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options: AuthErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AuthError'
    this.status = options.status ?? STATUS[code]
    this.scopes = options.scopes
    this.roles = options.roles
    this.realm = options.realm
    this.resourceMetadata = options.resourceMetadata
    this.dpop = options.dpop
    this.scheme = options.scheme
    this.dpopNonce = options.dpopNonce
  }

  /** The RFC 6750 `WWW-Authenticate` header value for this rejection. */
  get wwwAuthenticate(): string {
    return wwwAuthenticate(this)
  }

  /** A JSON shape safe to send to a client. */
  toJSON(): { name: string; code: AuthErrorCode; status: AuthErrorStatus; message: string } {
    return { name: this.name, code: this.code, status: this.status, message: this.message }
  }
}

/**
 * True when `value` is an {@link AuthError}, also across duplicated copies of this package.
 *
 * @example
 * if (isAuthError(error)) reply.code(error.status).send(error)
 */
export function isAuthError(value: unknown): value is AuthError {
  return (
    value instanceof AuthError ||
    (value instanceof Error && value.name === 'AuthError' && typeof (value as AuthError).code === 'string')
  )
}

/**
 * The RFC 6750 `error` parameter for a code (and, when known, the rejection's status), or undefined
 * when the challenge carries none. A 400 is `invalid_request`; a malformed token (401) is
 * `invalid_token`.
 *
 * @example
 * bearerErrorOf('token_expired') // 'invalid_token'
 * bearerErrorOf('token_malformed', 400) // 'invalid_request'
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function bearerErrorOf(
  code: AuthErrorCode,
  status: AuthErrorStatus = STATUS[code],
): 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined {
  if (status === 400) return 'invalid_request'
  switch (code) {
    // RFC 6750 3.1: no error code when the request had no credentials
    case 'token_missing':
    case 'jwks_unavailable':
    case 'store_unavailable':
    case 'introspection_unavailable':
    case 'revocation_unavailable':
      return undefined
    case 'insufficient_scope':
    case 'forbidden':
      return 'insufficient_scope'
    default:
      return 'invalid_token'
  }
}

const quote = (value: string) => `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '')}"`

/**
 * Builds an RFC 6750 `WWW-Authenticate` value for an error, e.g.
 * `Bearer realm="api", error="invalid_token", error_description="token has expired"`.
 *
 * @example
 * wwwAuthenticate(new AuthError('token_expired', 'token has expired'))
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function wwwAuthenticate(
  error: Pick<AuthError, 'code' | 'message' | 'scopes' | 'realm'> & {
    readonly status?: AuthErrorStatus
    readonly resourceMetadata?: string | undefined
    readonly dpop?: DpopChallenge | undefined
    readonly scheme?: 'Bearer' | 'DPoP' | undefined
  },
): string {
  const params: string[] = []
  if (error.realm) params.push(`realm=${quote(error.realm)}`)
  // RFC 9728 5.1: tells a client without a token where to learn which authorization server to ask.
  if (error.resourceMetadata) params.push(`resource_metadata=${quote(error.resourceMetadata)}`)
  const dpop = error.dpop
  if (dpop === undefined) return challengeOf('Bearer', params, bearerErrorOf(error.code, error.status), error)
  const dpopError = dpopErrorOf(error.code)
  // The error goes on the challenge of the scheme the client used (RFC 9449 7.1, 7.2).
  const onDpop = dpopError !== undefined || error.scheme === 'DPoP' || !dpop.bearer
  const tokenError = dpopError ?? bearerErrorOf(error.code, error.status)
  const dpopParams = [`algs=${quote(dpop.algs.join(' '))}`, ...params]
  const dpopChallenge = challengeOf('DPoP', dpopParams, onDpop ? tokenError : undefined, error)
  if (!dpop.bearer) return dpopChallenge
  return `${challengeOf('Bearer', params, onDpop ? undefined : tokenError, error)}, ${dpopChallenge}`
}

/** The RFC 9449 7.1 and 9 `error` of a DPoP code; undefined for the codes Bearer shares. */
function dpopErrorOf(code: AuthErrorCode): 'invalid_dpop_proof' | 'use_dpop_nonce' | undefined {
  switch (code) {
    case 'dpop_proof_missing':
    case 'dpop_proof_invalid':
    case 'dpop_replayed':
      return 'invalid_dpop_proof'
    case 'dpop_nonce_required':
      return 'use_dpop_nonce'
    default:
      return undefined
  }
}

function challengeOf(
  scheme: 'Bearer' | 'DPoP',
  base: readonly string[],
  code: string | undefined,
  error: Pick<AuthError, 'message' | 'scopes'>,
): string {
  const params = [...base]
  if (code) {
    params.push(`error=${quote(code)}`, `error_description=${quote(error.message)}`)
    if (error.scopes?.length) params.push(`scope=${quote(error.scopes.join(' '))}`)
  }
  return params.length ? `${scheme} ${params.join(', ')}` : scheme
}

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
