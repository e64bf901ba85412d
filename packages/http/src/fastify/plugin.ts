import type { Auth, AuthError, AuthResult } from '@portcullis/core'
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
} from 'fastify'
import { guard } from '../internal/access.js'
import { errorAnswer } from '../internal/answer.js'
import { authenticateOnce, identityOf } from '../internal/verdict.js'
import { normalizeRule, type RequireAuthOptions } from '../rule.js'

/**
 * Options of the {@link fastifyAuth} plugin.
 *
 * @example
 * await app.register(fastifyAuth, { auth })
 */
export interface FastifyAuthOptions {
  /** The verifier, made by `createAuth` from `@portcullis/core`; `request.identity` is typed through `Register`. */
  auth: Auth<unknown>
}

const NAMES: [string, string] = ['requireAuth()', 'the fastifyAuth plugin']

function reject(reply: FastifyReply, error: AuthError): FastifyReply {
  const answer = errorAnswer(error)
  return reply.code(answer.status).headers(answer.headers).send(answer.body)
}

const plugin: FastifyPluginCallback<FastifyAuthOptions> = (fastify, options, done) => {
  const auth = options?.auth
  if (typeof auth?.authenticate !== 'function') {
    done(new TypeError('"auth" must be made by createAuth from @portcullis/core'))
    return
  }
  fastify.decorateRequest('identity', null)

  const finish = (
    request: FastifyRequest,
    reply: FastifyReply,
    next: (error?: Error) => void,
    answer: { result: AuthResult<unknown>; fresh: boolean },
  ) => {
    const { result, fresh } = answer
    if (fresh && result.setCookie?.length) reply.header('set-cookie', [...result.setCookie])
    request.identity = identityOf(result) as FastifyRequest['identity']
    if (result.status === 'rejected') reject(reply, result.error)
    else next()
  }

  const onRequest: onRequestHookHandler = (request, reply, next) => {
    // request.raw, the IncomingMessage: core reads its rawHeaders, so repeated headers are seen.
    const answer = authenticateOnce(auth, request.raw)
    if (answer instanceof Promise)
      answer.then(
        // `next` with no argument: the verdict is passed on, never as an error.
        (known) => finish(request, reply, () => next(), known),
        (error: Error) => next(error),
      )
    // `next` itself, no closure per request: `finish` calls it without arguments.
    else finish(request, reply, next, answer)
  }
  fastify.addHook('onRequest', onRequest)
  done()
}

// What fastify-plugin does: no encapsulation (the hook and decorator reach every route), a name,
// and the Fastify versions it was written for.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@portcullis/http',
  [Symbol.for('plugin-meta')]: { name: '@portcullis/http', fastify: '4.x || 5.x' },
})

/**
 * A Fastify plugin (4 and 5, `fastify-plugin` style, so it applies to every route): verifies each
 * request's token once with core's `authenticate`, from `request.raw` so repeated headers are seen,
 * and decorates `request.identity` (`null` without credentials). A refreshed session's
 * `Set-Cookie` goes out through `reply`; a rejected credential is answered with its status, an RFC
 * 6750 challenge and `{ error, message }`.
 *
 * @example
 * import Fastify from 'fastify'
 * import { fastifyAuth, requireAuth } from '@portcullis/http/fastify'
 *
 * const app = Fastify()
 * await app.register(fastifyAuth, { auth })
 * app.get('/reports', { preHandler: requireAuth({ scopes: ['read:reports'] }) }, (request) => ({
 *   subject: request.identity?.subject,
 * }))
 */
export const fastifyAuth: FastifyPluginCallback<FastifyAuthOptions> = plugin

/**
 * A `preHandler` guard: 401 without an identity, 403 without the scopes or roles, each with its
 * RFC 6750 challenge. It reads the verdict of {@link fastifyAuth}, which must be registered.
 *
 * @example
 * app.delete('/users/:id', { preHandler: requireAuth({ roles: ['admin'] }) }, deleteUser)
 */
export function requireAuth(options?: RequireAuthOptions): preHandlerHookHandler {
  const rule = normalizeRule(options)
  return (request, reply, next) => {
    const error = guard(request.raw, rule, NAMES)
    if (error) reject(reply, error)
    else next()
  }
}
