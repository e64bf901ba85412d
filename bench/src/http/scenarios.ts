import type { Server } from 'node:http'
import { trpcPortcullis, yogaUseAuth } from './ours.js'
import {
  type AnyYoga,
  type ServerKeys,
  served,
  trpcBare,
  trpcEmptyMiddleware,
  trpcJose,
  yogaBare,
  yogaEmptyPlugin,
  yogaGenericAuth,
  yogaPluginJwt,
} from './peers.js'

/** One server setup in the HTTP benchmark. */
export interface Scenario {
  readonly name: string
  readonly framework: 'yoga' | 'trpc'
  /** Whether the server requires the token (bare servers and floors do not check it). */
  readonly auth: boolean
  /** Whether this is Portcullis (the target is judged against the bare server and the peers). */
  readonly ours: boolean
  /**
   * A floor: the framework's own cost of plugging anything in (an async context step, a middleware)
   * with no token work at all. Not a peer; it shows how close to bare any auth layer can get.
   */
  readonly floor?: boolean
  /** The A/A control: a second process of the bare server, timed like any other variant. */
  readonly control?: boolean
  readonly create: (keys: ServerKeys) => Server | Promise<Server>
  /** The Yoga app itself, for the in-process measurement (Yoga scenarios only). */
  readonly app?: (keys: ServerKeys) => AnyYoga | Promise<AnyYoga>
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'Yoga bare', framework: 'yoga', auth: false, ours: false, create: served(yogaBare), app: yogaBare },
  {
    name: 'Yoga bare (A/A)',
    framework: 'yoga',
    auth: false,
    ours: false,
    control: true,
    create: served(yogaBare),
    app: yogaBare,
  },
  {
    name: 'Yoga + empty async plugin (floor)',
    framework: 'yoga',
    auth: false,
    ours: false,
    floor: true,
    create: served(yogaEmptyPlugin),
    app: yogaEmptyPlugin,
  },
  {
    name: 'Yoga + useAuth',
    framework: 'yoga',
    auth: true,
    ours: true,
    create: served(yogaUseAuth),
    app: yogaUseAuth,
  },
  {
    name: 'Yoga + @graphql-yoga/plugin-jwt',
    framework: 'yoga',
    auth: true,
    ours: false,
    create: served(yogaPluginJwt),
    app: yogaPluginJwt,
  },
  {
    name: 'Yoga + @envelop/generic-auth',
    framework: 'yoga',
    auth: true,
    ours: false,
    create: served(yogaGenericAuth),
    app: yogaGenericAuth,
  },
  { name: 'tRPC bare', framework: 'trpc', auth: false, ours: false, create: trpcBare },
  { name: 'tRPC bare (A/A)', framework: 'trpc', auth: false, ours: false, control: true, create: trpcBare },
  {
    name: 'tRPC + empty middleware (floor)',
    framework: 'trpc',
    auth: false,
    ours: false,
    floor: true,
    create: trpcEmptyMiddleware,
  },
  { name: 'tRPC + @portcullis/trpc', framework: 'trpc', auth: true, ours: true, create: trpcPortcullis },
  { name: 'tRPC + jose middleware', framework: 'trpc', auth: true, ours: false, create: trpcJose },
]

/** The request each framework's server answers, and what the body must contain. */
export const REQUESTS = {
  yoga: { path: '/graphql?query=%7Bme%7D', expect: '"me":"alice"', anonymous: '"me":"anonymous"' },
  trpc: { path: '/me', expect: '"data":"alice"', anonymous: '"data":"anonymous"' },
} as const

/** The bare server a scenario is compared with. */
export const bareOf = (scenario: Scenario): Scenario =>
  SCENARIOS.find(
    (item) => item.framework === scenario.framework && !item.auth && !item.floor && !item.control,
  )!

/** The A/A control of a scenario's framework: a second process of its bare server. */
export const controlOf = (scenario: Scenario): Scenario =>
  SCENARIOS.find((item) => item.framework === scenario.framework && item.control)!

/** The auth layers Portcullis is compared with. */
export const peersOf = (scenario: Scenario): Scenario[] =>
  SCENARIOS.filter((item) => item.framework === scenario.framework && item.auth && !item.ours)
