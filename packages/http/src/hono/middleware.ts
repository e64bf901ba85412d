import type { Auth, AuthError, AuthResult, Identity } from '@portcullis/core'
import type { Context, MiddlewareHandler } from 'hono'
import { guard } from '../internal/access.js'
import { errorAnswer } from '../internal/answer.js'
import { authenticateOnce, identityOf } from '../internal/verdict.js'
import { normalizeRule, type RequireAuthOptions } from '../rule.js'
import { nodeIncoming } from './node-incoming.js'

/**
 * The Hono environment {@link authMiddleware} adds: `c.var.identity`, typed by the verifier's claims.
 *
 * @example
 * const app = new Hono<AuthEnv<typeof auth>>()
 */
export interface AuthEnv<Claims = Identity['claims']> {
  Variables: {
    /** Who made the request, or `null` without credentials. */
    identity: Identity<Claims> | null
  }
}

/**
 * What a guard adds to the environment: past it, `c.var.identity` is never `null`.
 *
 * @example
 * app.get('/me', requireAuth(), (c) => c.json(c.var.identity.subject))
 */
export interface GuardedEnv {
  Variables: { identity: Identity<unknown> }
}

const NAMES: [string, string] = ['requireAuth()', 'authMiddleware(auth)']

function appendSetCookie(c: Context, setCookie: readonly string[] | undefined): void {
  for (const line of setCookie ?? []) c.header('set-cookie', line, { append: true })
}

function reject(c: Context, error: AuthError): Response {
  const answer = errorAnswer(error)
  return c.body(answer.body, answer.status, answer.headers)
}

/**
 * Hono middleware: verifies the request's token once with core's `authenticate`, from the Fetch
 * `Request` (`c.req.raw`), and sets `c.var.identity`. Only Fetch APIs: it runs wherever Hono does
 * (Node through `@hono/node-server`, Bun, Deno, Workers, Vercel and Netlify edge). A refreshed
 * session's `Set-Cookie` reaches the response; a rejected credential is answered with its status, an
 * RFC 6750 challenge and `{ error, message }`.
 *
 * @example
 * import { Hono } from 'hono'
 * import { authMiddleware, requireAuth } from '@portcullis/http/hono'
 *
 * const app = new Hono()
 *   .use(authMiddleware(auth))
 *   .get('/reports', requireAuth({ scopes: ['read:reports'] }), (c) => c.json(c.var.identity.subject))
 */
export function authMiddleware<Claims>(auth: Auth<Claims>): MiddlewareHandler<AuthEnv<Claims>> {
  if (typeof auth?.authenticate !== 'function')
    throw new TypeError('"auth" must be made by createAuth from @portcullis/core')
  const settle = async (
    c: Context<AuthEnv<Claims>>,
    next: () => Promise<void>,
    found: Promise<{ result: AuthResult<Claims>; fresh: boolean }>,
  ) => {
    const { result, fresh } = await found
    return answer(c, next, result, fresh)
  }
  // Not `async`: on the cached path (no Set-Cookie to add afterwards) it hands back `next()`'s own
  // promise, so a request pays no extra async frame; Hono awaits whatever a middleware returns.
  const answer = (
    c: Context<AuthEnv<Claims>>,
    next: () => Promise<void>,
    result: AuthResult<Claims>,
    fresh: boolean,
  ): ReturnType<MiddlewareHandler<AuthEnv<Claims>>> => {
    const setCookie = fresh ? result.setCookie : undefined
    c.set('identity', identityOf(result))
    if (result.status === 'rejected') {
      appendSetCookie(c, setCookie)
      return Promise.resolve(reject(c, result.error))
    }
    if (!setCookie?.length) return next()
    // After the handler: Hono copies a Response the handler built itself (its headers may be
    // immutable) before adding to it, so the refresh reaches the browser whatever the route returned.
    return next().then(() => appendSetCookie(c, setCookie))
  }
  return (c, next) => {
    let found: ReturnType<typeof authenticateOnce<Claims>>
    try {
      const request = c.req.raw
      // On @hono/node-server, the IncomingMessage's raw lines while they are the request's headers:
      // the server then never builds a Fetch Headers for us (see nodeIncoming).
      found = authenticateOnce(auth, request, nodeIncoming(request, c.env) ?? request)
    } catch (error) {
      return Promise.reject(error)
    }
    if (found instanceof Promise) return settle(c, next, found)
    return answer(c, next, found.result, found.fresh)
  }
}

/**
 * A guard: 401 without an identity, 403 without the scopes or roles, each with its RFC 6750
 * challenge. It reads the verdict of {@link authMiddleware}, which must run first.
 *
 * @example
 * app.delete('/users/:id', requireAuth({ roles: ['admin'] }), (c) => c.body(null, 204))
 */
export function requireAuth(options?: RequireAuthOptions): MiddlewareHandler<GuardedEnv> {
  const rule = normalizeRule(options)
  // Not `async`, as above: a request that passes gets `next()`'s own promise.
  return (c, next) => {
    let error: AuthError | undefined
    try {
      error = guard(c.req.raw, rule, NAMES)
    } catch (fault) {
      return Promise.reject(fault)
    }
    return error ? Promise.resolve(reject(c, error)) : next()
  }
}
