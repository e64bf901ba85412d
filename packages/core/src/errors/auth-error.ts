import { type DpopChallenge, wwwAuthenticate } from './challenge.js'
import { type AuthErrorCode, type AuthErrorStatus, STATUS } from './codes.js'

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
