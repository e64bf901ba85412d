import type { AuthError, AuthErrorCode, AuthErrorStatus } from '@portcullis/core'

/**
 * The JSON body of every rejection: the stable code and the rule that failed, nothing else.
 *
 * @example
 * const body: ErrorBody = await response.json() // { error: 'token_expired', message: 'token has expired' }
 */
export interface ErrorBody {
  /** Core's stable code: `token_missing`, `token_expired`, `insufficient_scope`, ... */
  readonly error: AuthErrorCode
  /** The rule that failed; never a token, a secret or a cookie value. */
  readonly message: string
}

/**
 * A rejection as HTTP: status, headers and body, for any framework to send.
 *
 * @example
 * const { status, headers, body }: ErrorAnswer = errorAnswer(error)
 */
export interface ErrorAnswer {
  readonly status: AuthErrorStatus
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * Builds the HTTP answer for a rejection: the status core gave it, an RFC 6750 challenge for
 * 400/401/403, and a small JSON {@link ErrorBody}.
 *
 * @example
 * const answer = errorAnswer(new AuthError('token_expired', 'token has expired'))
 * res.writeHead(answer.status, answer.headers).end(answer.body)
 */
export function errorAnswer(error: AuthError): ErrorAnswer {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    // An answer about credentials is about this request only.
    'cache-control': 'no-store',
  }
  // A 503 says nothing about the credentials: a challenge would send the client to sign in again.
  if (error.status !== 503) headers['www-authenticate'] = error.wwwAuthenticate
  // RFC 9449 8: the nonce a `use_dpop_nonce` rejection asks the client to put in its next proof.
  if (error.dpopNonce !== undefined) headers['dpop-nonce'] = error.dpopNonce
  const body: ErrorBody = { error: error.code, message: error.message }
  return { status: error.status, headers, body: JSON.stringify(body) }
}
