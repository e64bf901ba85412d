import { type AuthErrorCode, type AuthErrorStatus, STATUS } from './codes.js'

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
  // The fields of an AuthError the challenge reads, spelled out: this file cannot import the class.
  error: {
    readonly code: AuthErrorCode
    message: string
    readonly scopes: readonly string[] | undefined
    readonly realm: string | undefined
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
  error: { readonly message: string; readonly scopes: readonly string[] | undefined },
): string {
  const params = [...base]
  if (code) {
    params.push(`error=${quote(code)}`, `error_description=${quote(error.message)}`)
    if (error.scopes?.length) params.push(`scope=${quote(error.scopes.join(' '))}`)
  }
  return params.length ? `${scheme} ${params.join(', ')}` : scheme
}
