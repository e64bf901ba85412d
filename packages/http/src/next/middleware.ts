import type { Auth, Identity } from '@portcullis/core'
import { type NextRequest, NextResponse } from 'next/server.js'
import { applySetCookie } from '../internal/cookies.js'
import { errorResponse, withSetCookie } from '../internal/fetch.js'
import { authenticateOnce } from '../internal/verdict.js'
import { accessError, normalizeRule, type RequireAuthOptions } from '../rule.js'

/**
 * Options of the Next.js {@link authMiddleware}: what the matched paths need, and what to do once
 * a request passes.
 *
 * @example
 * export const middleware = authMiddleware(auth, { roles: ['admin'] })
 */
export interface NextMiddlewareOptions<Claims> extends RequireAuthOptions {
  /**
   * Called with the verified identity once a request passes; return a `Response` (a rewrite, a
   * redirect) or nothing to go on to the route. The refreshed session's `Set-Cookie` is added either way.
   * @default () => undefined
   */
  onAuthorized?: (
    request: NextRequest,
    identity: Identity<Claims>,
  ) => Response | undefined | Promise<Response | undefined>
}

/**
 * A `middleware.ts` function (Edge and Node runtimes): answers 401/403 (400, 503) with an RFC 6750
 * challenge and `{ error, message }` for the paths its `config.matcher` selects, or lets the request
 * through. After a session refresh, the route sees the new cookies (so it never refreshes the rotated
 * refresh token a second time) and the browser gets them through `Set-Cookie`.
 *
 * @example
 * // middleware.ts
 * import { authMiddleware } from '@portcullis/http/next'
 *
 * export const middleware = authMiddleware(auth, { scopes: ['read:reports'] })
 * export const config = { matcher: '/api/reports/:path*' }
 */
export function authMiddleware<Claims>(
  auth: Auth<Claims>,
  options?: NextMiddlewareOptions<Claims>,
): (request: NextRequest) => Promise<Response> {
  if (typeof auth?.authenticate !== 'function')
    throw new TypeError('"auth" must be made by createAuth from @portcullis/core')
  const onAuthorized = options?.onAuthorized
  if (onAuthorized !== undefined && typeof onAuthorized !== 'function')
    throw new TypeError('"onAuthorized" must be a function')
  const rule = normalizeRule(options && { scopes: options.scopes, roles: options.roles, mode: options.mode })
  return async (request) => {
    const found = authenticateOnce(auth, request)
    const { result, fresh } = found instanceof Promise ? await found : found
    const setCookie = fresh ? result.setCookie : undefined
    if (result.status === 'rejected') return errorResponse(result.error, setCookie)
    const identity = result.status === 'authenticated' ? result.identity : null
    const error = accessError(identity, rule, auth)
    if (error || identity === null) return errorResponse(error!, setCookie)
    const custom = await onAuthorized?.(request, identity)
    if (custom) return withSetCookie(custom, setCookie)
    if (!setCookie?.length) return NextResponse.next()
    // The route runs on this request's headers: give it the cookies the browser will send next time.
    const headers = new Headers(request.headers)
    headers.set('cookie', applySetCookie(request.headers.get('cookie'), setCookie))
    return withSetCookie(NextResponse.next({ request: { headers } }), setCookie)
  }
}
