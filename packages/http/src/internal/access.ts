import type { AuthError } from '@portcullis/core'
import { accessError, type Rule } from '../rule.js'
import { identityOf, verdictOf } from './verdict.js'

/**
 * Thrown (as a 500) when a guard runs where no middleware verified the request: fail closed.
 *
 * @example
 * throw new MissingMiddlewareError('requireAuth()', 'authMiddleware(auth)')
 */
export class MissingMiddlewareError extends Error {
  constructor(guard: string, middleware: string) {
    super(`${guard} needs ${middleware} to run before it on this request`)
    this.name = 'MissingMiddlewareError'
  }
}

/**
 * A guard's decision for a request: the rejection to send, or undefined to let it through. It reads
 * the verdict the middleware recorded, never a property of the request another layer could set.
 *
 * @example
 * const error = guard(req, normalizeRule({ scopes: ['read'] }), ['requireAuth()', 'authMiddleware(auth)'])
 */
export function guard(request: object, rule: Rule, names: [string, string]): AuthError | undefined {
  const verdict = verdictOf(request)
  if (verdict === undefined) throw new MissingMiddlewareError(...names)
  if (verdict.result.status === 'rejected') return verdict.result.error
  return accessError(identityOf(verdict.result), rule, verdict.auth)
}
