import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Auth, AuthError, AuthResult, Identity } from '@portcullis/core'
import { guard } from '../internal/access.js'
import { errorAnswer } from '../internal/answer.js'
import { authenticateOnce, identityOf } from '../internal/verdict.js'
import { normalizeRule, type RequireAuthOptions } from '../rule.js'

/**
 * Connect's `next`, which Express 4 and 5 share.
 *
 * @example
 * const next: NextFunction = (error) => error && console.error(error)
 */
export type NextFunction = (error?: unknown) => void

/**
 * A Connect / Express middleware: Node's request and response, and `next`.
 *
 * @example
 * const middleware: NodeMiddleware = requireAuth({ scopes: ['read:reports'] })
 */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void

const NAMES: [string, string] = ['requireAuth()', 'authMiddleware(auth)']

function appendSetCookie(res: ServerResponse, cookies: readonly string[]): void {
  if (cookies.length === 0) return
  const current = res.getHeader('set-cookie')
  const list = current === undefined ? [] : Array.isArray(current) ? current : [String(current)]
  res.setHeader('set-cookie', [...list, ...cookies])
}

function reject(res: ServerResponse, error: AuthError): void {
  const answer = errorAnswer(error)
  res.statusCode = answer.status
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value)
  res.end(answer.body)
}

function checkAuth(auth: unknown): void {
  if (typeof (auth as Partial<Auth>)?.authenticate !== 'function')
    throw new TypeError('"auth" must be made by createAuth from @portcullis/core')
}

/**
 * Express (4 and 5) and Connect middleware: verifies the request's token once with core's
 * `authenticate` and sets `req.identity` (`null` when the request carried no credentials). A
 * refreshed session's `Set-Cookie` reaches the response; an invalid, expired, ambiguous or
 * malformed credential is answered at once with its status, an RFC 6750 `WWW-Authenticate`
 * challenge and `{ error, message }`; an unreachable key set or session store is a 503.
 *
 * @example
 * import express from 'express'
 * import { authMiddleware, requireAuth } from '@portcullis/http/express'
 *
 * const app = express()
 * app.use(authMiddleware(auth))
 * app.get('/reports', requireAuth({ scopes: ['read:reports'] }), (req, res) => {
 *   res.json({ subject: req.identity?.subject })
 * })
 */
export function authMiddleware<Claims>(auth: Auth<Claims>): NodeMiddleware {
  checkAuth(auth)
  const finish = (
    req: IncomingMessage,
    res: ServerResponse,
    next: NextFunction,
    answer: { result: AuthResult<Claims>; fresh: boolean },
  ) => {
    const { result, fresh } = answer
    try {
      // Inside the try: a request that refuses the write (an app's getter-only `identity`, a frozen
      // request) would otherwise throw from the promise callback below on the asynchronous path.
      ;(req as IncomingMessage & { identity: Identity<Claims> | null }).identity = identityOf(result)
      // A refresh (or a cleared session) must reach the browser, whatever the route answers.
      if (fresh && result.setCookie) appendSetCookie(res, result.setCookie)
      if (result.status === 'rejected') {
        reject(res, result.error)
        return
      }
    } catch (error) {
      // Another layer answered already (ERR_HTTP_HEADERS_SENT), or the request refused `identity`:
      // Express's error handling, never an unhandled rejection from the promise callback below, which
      // would stop the process.
      next(error)
      return
    }
    next()
  }
  return (req, res, next) => {
    let answer: ReturnType<typeof authenticateOnce<Claims>>
    try {
      // `req` itself, not a copy: core reads rawHeaders, so a repeated Authorization line is seen.
      answer = authenticateOnce(auth, req)
    } catch (error) {
      next(error)
      return
    }
    if (answer instanceof Promise) answer.then((known) => finish(req, res, next, known), next)
    else finish(req, res, next, answer)
  }
}

/**
 * A per-route guard: a 401 without an identity, a 403 `insufficient_scope` (or `forbidden`)
 * without the scopes (or roles), each with its RFC 6750 challenge and `{ error, message }`. It reads
 * the verdict of {@link authMiddleware}, which must run first (otherwise it fails the request).
 *
 * @example
 * app.delete('/users/:id', requireAuth({ roles: ['admin'] }), deleteUser)
 * app.get('/audit', requireAuth({ roles: ['auditor', 'admin'], mode: 'any' }), listAudit)
 */
export function requireAuth(options?: RequireAuthOptions): NodeMiddleware {
  const rule = normalizeRule(options)
  return (req, res, next) => {
    let error: ReturnType<typeof guard>
    try {
      error = guard(req, rule, NAMES)
    } catch (fault) {
      next(fault)
      return
    }
    if (error) reject(res, error)
    else next()
  }
}
