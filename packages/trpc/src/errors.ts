import { AuthError, type AuthErrorCode, isAuthError } from '@portcullis/core'
import {
  type TRPC_ERROR_CODE_KEY,
  type TRPCDefaultErrorData,
  type TRPCDefaultErrorShape,
  TRPCError,
} from '@trpc/server'

const CODES: Record<AuthError['status'], TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
}

/**
 * Translates a core {@link AuthError} into a `TRPCError`: 400 becomes `BAD_REQUEST`, 401 `UNAUTHORIZED`, 403 `FORBIDDEN`,
 * 503 `SERVICE_UNAVAILABLE`. The `AuthError` is kept as `cause`, so `authErrorFormatter` can expose its
 * stable `code`; its message names the failed rule and never holds a token.
 *
 * @example
 * throw toTRPCError(new AuthError('insufficient_scope', 'requires the scopes: read:reports'))
 */
export function toTRPCError(error: AuthError): TRPCError {
  return new TRPCError({ code: CODES[error.status], message: error.message, cause: error })
}

/**
 * The core `AuthError` behind a `TRPCError` (its `cause`), if there is one.
 *
 * @example
 * onError: ({ error }) => metrics.count(authErrorOf(error)?.code ?? 'other')
 */
export function authErrorOf(error: unknown): AuthError | undefined {
  if (isAuthError(error)) return error
  if (error instanceof Error && isAuthError(error.cause)) return error.cause
  return undefined
}

/**
 * What `authErrorFormatter` adds to `error.data`.
 *
 * @example
 * if (error.data?.authCode === 'token_expired') await refreshAndRetry()
 */
export interface AuthErrorData {
  /** Core's stable reason code (`token_expired`, `insufficient_scope`, ...), or `null` for other errors. */
  authCode: AuthErrorCode | null
}

/**
 * The error shape a router gets with `errorFormatter: authErrorFormatter`.
 *
 * @example
 * const shape: AuthErrorShape = authErrorFormatter({ shape, error })
 */
export interface AuthErrorShape extends TRPCDefaultErrorShape {
  data: TRPCDefaultErrorData & AuthErrorData
}

/**
 * The fields to merge into `shape.data` in your own `errorFormatter`: `{ authCode }`.
 *
 * @example
 * initTRPC.context<typeof createContext>().create({
 *   errorFormatter: ({ shape, error }) => ({ ...shape, data: { ...shape.data, ...authErrorData(error) } }),
 * })
 */
export function authErrorData(error: TRPCError): AuthErrorData {
  return { authCode: authErrorOf(error)?.code ?? null }
}

/**
 * A ready `errorFormatter` that adds core's stable `code` to every error as `data.authCode`, so
 * clients switch on `error.data.authCode === 'token_expired'` rather than on messages.
 *
 * @example
 * const t = initTRPC.context<typeof createContext>().create({ errorFormatter: authErrorFormatter })
 */
export function authErrorFormatter(opts: { shape: TRPCDefaultErrorShape; error: TRPCError }): AuthErrorShape {
  return { ...opts.shape, data: { ...opts.shape.data, ...authErrorData(opts.error) } }
}

/** Adds the realm configured on `createAuth` to an error raised outside core's verifier. */
export function withRealm(error: AuthError, realm: string | undefined): AuthError {
  if (realm === undefined || error.realm !== undefined) return error
  return new AuthError(error.code, error.message, {
    realm,
    scopes: error.scopes,
    roles: error.roles,
    status: error.status,
  })
}
