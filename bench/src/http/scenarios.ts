import type { Server } from 'node:http'
import { type ServerKeys, trpcBare, trpcJose, yogaBare, yogaGenericAuth, yogaPluginJwt } from './peers.js'

/** One server setup in the HTTP benchmark. */
export interface Scenario {
  readonly name: string
  readonly framework: 'yoga' | 'trpc'
  /** Whether the server requires the token (bare servers do not). */
  readonly auth: boolean
  /** Whether this is Portcullis (the target is judged against the bare server and the peers). */
  readonly ours: boolean
  readonly create: (keys: ServerKeys) => Server | Promise<Server>
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'Yoga bare', framework: 'yoga', auth: false, ours: false, create: yogaBare },
  {
    name: 'Yoga + @graphql-yoga/plugin-jwt',
    framework: 'yoga',
    auth: true,
    ours: false,
    create: yogaPluginJwt,
  },
  {
    name: 'Yoga + @envelop/generic-auth',
    framework: 'yoga',
    auth: true,
    ours: false,
    create: yogaGenericAuth,
  },
  { name: 'tRPC bare', framework: 'trpc', auth: false, ours: false, create: trpcBare },
  { name: 'tRPC + jose middleware', framework: 'trpc', auth: true, ours: false, create: trpcJose },
]

/** The request each framework's server answers, and what the body must contain. */
export const REQUESTS = {
  yoga: { path: '/graphql?query=%7Bme%7D', expect: '"me":"alice"', anonymous: '"me":"anonymous"' },
  trpc: { path: '/me', expect: '"data":"alice"', anonymous: '"data":"anonymous"' },
} as const
