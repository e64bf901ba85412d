import type { Auth } from '@portcullis/core'
import { resourceMetadataAnswer } from '@portcullis/core'
import type { NodeMiddleware } from './middleware.js'

/**
 * A Connect / Express middleware serving the RFC 9728 protected-resource metadata of `auth` (its
 * `resource` option) at `/.well-known/oauth-protected-resource` plus the resource's path. Core
 * builds the answer; this only routes to it, and passes every other request on.
 *
 * @example
 * app.use(resourceMetadata(auth)) // before authMiddleware: the metadata is public
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 */
export function resourceMetadata(
  auth: Pick<Auth<unknown>, 'protectedResourceMetadata' | 'resourceMetadataPath'>,
): NodeMiddleware {
  if (typeof auth?.protectedResourceMetadata !== 'function' || auth.resourceMetadataPath === undefined)
    throw new TypeError('resourceMetadata: "auth" must come from createAuth({ resource: { ... } })')
  return (req, res, next) => {
    // `originalUrl`: under app.use('/prefix', ...) Express strips the prefix from `url`.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    const answer = resourceMetadataAnswer(auth, req.method, new URL(url, 'http://localhost').pathname)
    if (answer === undefined) return next()
    res.writeHead(answer.status, answer.headers)
    res.end(req.method === 'HEAD' ? undefined : answer.body)
  }
}
