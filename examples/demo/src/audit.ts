import { createAuth } from '@portcullis/core'
import { createDemoSchema } from './graphql.js'
import { DEMO_AUDIENCE } from './issuer.js'
import { createDemoRouter } from './trpc.js'

// What `portcullis audit` reads: the demo's router and schema as the server builds them. The auth
// is never asked to verify anything here (no key is fetched: discovery waits for a first request).
const auth = createAuth({ issuer: 'http://127.0.0.1:3000', audience: DEMO_AUDIENCE })

/**
 * The demo's tRPC router, for `portcullis audit src/audit.ts --export router`.
 *
 * @example
 * describeRules(router).entries.map((entry) => entry.path) // ['admin.stats', 'hello', ...]
 */
export const router = createDemoRouter(auth).router

/**
 * The demo's GraphQL schema, for `portcullis audit src/audit.ts --export schema`.
 *
 * @example
 * describeRules(schema).entries.map((entry) => entry.path) // ['AdminStats.sessions', ...]
 */
export const schema = createDemoSchema()
