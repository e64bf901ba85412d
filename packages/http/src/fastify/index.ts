import type { RequestIdentity } from '../register.js'

export type { FastifyAuthOptions } from './plugin.js'
export { fastifyAuth, requireAuth } from './plugin.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request (from the `fastifyAuth` plugin), or `null` without credentials. */
    identity: RequestIdentity
  }
}
