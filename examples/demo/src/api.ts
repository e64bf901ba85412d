import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Auth } from '@portcullis/core'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { createDemoYoga } from './graphql.js'
import { createDemoRouter } from './trpc.js'

/**
 * Mounts tRPC at `/trpc` and GraphQL at `/graphql`; answers `false` for any other path.
 *
 * @example
 * const api = createApi(auth, 'memory')
 * if (!(await api(req, res))) res.end('not found')
 */
export function createApi(
  auth: Auth,
  store: 'memory' | 'redis',
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { router, createContext } = createDemoRouter(auth, store)
  const trpc = createHTTPHandler({ router, createContext, basePath: '/trpc/' })
  const yoga = createDemoYoga(auth, store)
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    if (path.startsWith('/trpc/')) {
      trpc(req, res)
      return true
    }
    if (path === '/graphql') {
      await yoga(req, res)
      return true
    }
    return false
  }
}
