import { AuthError } from '@portcullis/core'
import { type ASTNode, GraphQLError } from 'graphql'

/**
 * `extensions.code` of an authorization error: who are you (401), not allowed (403), cannot tell (503).
 *
 * @example
 * if (error.extensions.code === ('UNAUTHENTICATED' satisfies AuthErrorExtensionCode)) redirectToLogin()
 */
export type AuthErrorExtensionCode = 'BAD_REQUEST' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE'

/**
 * The `extensions` every authorization error carries.
 *
 * @example
 * const { code, reason } = error.extensions as AuthErrorExtensions // 'FORBIDDEN', 'insufficient_scope'
 */
export interface AuthErrorExtensions {
  /** `BAD_REQUEST` (400), `UNAUTHENTICATED` (401), `FORBIDDEN` (403) or `SERVICE_UNAVAILABLE` (503). */
  readonly code: AuthErrorExtensionCode
  /** Core's stable reason code, e.g. `token_expired` or `insufficient_scope`. */
  readonly reason: AuthError['code']
  /** The HTTP status and headers Yoga answers with; absent on field errors in partial results. */
  readonly http?: { readonly status: number; readonly headers: Readonly<Record<string, string>> }
}

const CODES = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
} as const

/**
 * Translates a core `AuthError` into a `GraphQLError` that survives Yoga's error masking. With
 * `http`, Yoga answers with the error's status and `WWW-Authenticate` challenge.
 *
 * @example
 * throw toGraphQLError(new AuthError('token_missing', 'authentication is required'), { http: true })
 */
export function toGraphQLError(
  error: AuthError,
  options: { http: boolean; path?: readonly (string | number)[]; nodes?: ASTNode | readonly ASTNode[] },
): GraphQLError {
  const extensions: AuthErrorExtensions = {
    code: CODES[error.status],
    reason: error.code,
    ...(options.http && {
      http: {
        status: error.status,
        // RFC 6750 3: a 503 is not a challenge, so it carries none.
        headers:
          error.status === 503
            ? {}
            : {
                'WWW-Authenticate': error.wwwAuthenticate,
                // RFC 9449 8: the nonce a `use_dpop_nonce` rejection asks for.
                ...(error.dpopNonce !== undefined && { 'DPoP-Nonce': error.dpopNonce }),
              },
      },
    }),
  }
  // The message is core's rule description, which never holds a token; the AuthError is not kept
  // as `originalError`, so masking has nothing to hide and nothing from the request leaks.
  return new GraphQLError(error.message, {
    nodes: options.nodes,
    path: options.path,
    extensions: { ...extensions },
  })
}

/** The error for an operation too large to authorize (see `MAX_SELECTIONS`): 400, nothing runs. */
export function tooLarge(): GraphQLError {
  return new GraphQLError('operation has too many selections to authorize', {
    extensions: { code: 'OPERATION_TOO_LARGE', http: { status: 400, headers: {} } },
  })
}

/**
 * A guarded field resolved in an operation `useAuth` did not admit (the schema executed without the
 * plugin, or with a context it never saw): refused rather than resolved unchecked.
 */
export function unchecked(field: { name: string }): GraphQLError {
  return toGraphQLError(
    new AuthError('forbidden', `"${field.name}" is guarded, and this operation was not checked by useAuth`),
    { http: false },
  )
}
