import type { Auth, AuthResult, Identity } from '@portcullis/core'
import type { NextRequest } from 'next/server.js'
import { errorResponse, withSetCookie } from '../internal/fetch.js'
import { authenticateOnce } from '../internal/verdict.js'
import { accessError, normalizeRule, type RequireAuthOptions } from '../rule.js'

type Found<Claims> = { readonly result: AuthResult<Claims>; readonly fresh: boolean }

/**
 * The second argument Next.js passes an App Router route handler.
 *
 * @example
 * export const GET = withAuth(auth, async (request, { params }) => Response.json(await params))
 */
export interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined>>
}

/**
 * A route handler behind {@link withAuth}: its context also carries the verified `identity`.
 *
 * @example
 * const handler: AuthedRouteHandler<typeof claims> = (request, { identity }) => Response.json(identity.subject)
 */
export type AuthedRouteHandler<Claims, Context = RouteContext, R extends Request = NextRequest> = (
  request: R,
  context: Context & { identity: Identity<Claims> },
) => Response | Promise<Response>

/**
 * Protects an App Router route handler (Node and Edge runtimes: it reads only the Fetch `Request`):
 * verifies the token once with core's `authenticate`, answers 401/403 (400 malformed, 503
 * unreachable store or keys) with an RFC 6750 challenge and `{ error, message }`, and otherwise
 * calls `handler` with `identity` in its context. A refreshed session's `Set-Cookie` is added to
 * whatever the handler returns.
 *
 * @example
 * // app/api/reports/route.ts
 * import { withAuth } from '@portcullis/http/next'
 *
 * export const GET = withAuth(auth, (request, { identity }) => Response.json({ subject: identity.subject }), {
 *   scopes: ['read:reports'],
 * })
 */
export function withAuth<Claims, Context = RouteContext, R extends Request = NextRequest>(
  auth: Auth<Claims>,
  handler: AuthedRouteHandler<Claims, Context, R>,
  options?: RequireAuthOptions,
): (request: R, context: Context) => Promise<Response> {
  if (typeof auth?.authenticate !== 'function')
    throw new TypeError('"auth" must be made by createAuth from @portcullis/core')
  if (typeof handler !== 'function') throw new TypeError('"handler" must be a route handler function')
  const rule = normalizeRule(options)
  const answer = (
    request: R,
    context: Context,
    result: AuthResult<Claims>,
    fresh: boolean,
  ): Response | Promise<Response> => {
    const setCookie = fresh ? result.setCookie : undefined
    if (result.status === 'rejected') return errorResponse(result.error, setCookie)
    const identity = result.status === 'authenticated' ? result.identity : null
    const error = accessError(identity, rule, auth)
    if (error || identity === null) return errorResponse(error!, setCookie)
    const response = handler(request, { ...context, identity })
    if (!setCookie?.length) return response
    // Anything but a Response (a promise, or another thenable) is awaited first, as `await` did.
    return response instanceof Response
      ? withSetCookie(response, setCookie)
      : Promise.resolve(response).then((settled) => withSetCookie(settled, setCookie))
  }
  const settle = async (request: R, context: Context, found: Promise<Found<Claims>>) => {
    const { result, fresh } = await found
    return answer(request, context, result, fresh)
  }
  // Not `async`: on the cached path it hands back the handler's own promise, with no extra async
  // frame per request. A handler that throws is still a rejected promise, as from an async function.
  return (request, context) => {
    try {
      const found = authenticateOnce(auth, request)
      if (found instanceof Promise) return settle(request, context, found)
      const response = answer(request, context, found.result, found.fresh)
      return response instanceof Promise ? response : Promise.resolve(response)
    } catch (error) {
      return Promise.reject(error)
    }
  }
}
