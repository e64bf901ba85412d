import type { IncomingMessage } from 'node:http'
import { type Auth, bearer, createAuth, createSessions, memoryStore, type Sessions } from '@portcullis/core'
import type { DevKey } from './dev-keys.js'
import type { DevIssuer } from './issuer.js'
import type { DemoUser } from './users.js'

/** The demo's cookie sessions and the verifier that accepts them and bearer tokens. */
export interface DemoSessions {
  /** Verifies the session cookie (refreshing it when needed) and bearer tokens from the dev issuer. */
  readonly auth: Auth
  readonly sessions: Sessions
  /** Issues a session; returns the `Set-Cookie` values. */
  login(user: DemoUser): Promise<readonly string[]>
  /** Ends the session of this request; returns the `Set-Cookie` values that clear it. */
  logout(request: IncomingMessage): Promise<readonly string[]>
  /** Closes the Redis connection, if any. */
  close(): Promise<void>
}

/** How the demo's sessions are set up. */
export interface DemoSessionsOptions {
  issuer: DevIssuer
  key: DevKey
  /** Access token lifetime in seconds. */
  accessTtl: number
  /** Refresh token lifetime in seconds. */
  refreshTtl: number
  /** A Redis URL (`redis://127.0.0.1:6379`); the in-memory store when absent. */
  redisUrl: string | undefined
}

/**
 * Cookie sessions signed with the dev key, plus one `createAuth` that accepts them (cookie first)
 * and bearer tokens from the dev issuer, whose keys it finds by OIDC discovery over loopback.
 *
 * @example
 * const { auth, login } = await createDemoSessions({ issuer, key, accessTtl: 300, refreshTtl: 86400, redisUrl: undefined })
 */
export async function createDemoSessions(options: DemoSessionsOptions): Promise<DemoSessions> {
  const { issuer, key } = options
  let closeStore = async () => {}
  let store = memoryStore()
  if (options.redisUrl) {
    const [{ Redis }, { redisStore }] = await Promise.all([
      import('ioredis'),
      import('@portcullis/core/redis'),
    ])
    const client = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    // Sessions answer 503 store_unavailable while Redis is away; say so once per outage, not per retry.
    let lastError: Error | undefined
    let healthy = false
    client.on('ready', () => {
      healthy = true
    })
    client.on('error', (error: Error) => {
      lastError = error
      if (healthy) console.error(`demo: lost Redis (${error.message}); sessions answer 503 until it is back`)
      healthy = false
    })
    try {
      await client.connect()
    } catch (error) {
      client.disconnect()
      throw new Error(`cannot reach Redis at REDIS_URL: ${(lastError ?? (error as Error)).message}`)
    }
    store = redisStore(client, { prefix: 'portcullis-demo:' })
    closeStore = async () => {
      await client.quit()
    }
  }
  const sessions = createSessions({
    signingKey: key.privateJwk,
    // Sessions are their own issuer, apart from the dev issuer that mints bearer tokens.
    issuer: `${issuer.issuer}/session`,
    audience: issuer.audience,
    accessTtl: options.accessTtl,
    refreshTtl: options.refreshTtl,
    store,
  })
  const auth = createAuth({
    sessions,
    // No key material: createAuth finds the JWKS by OIDC discovery, from this very server.
    issuer: issuer.issuer,
    audience: issuer.audience,
    algorithms: ['ES256'],
    tokenType: 'at+jwt', // RFC 9068 access tokens, as the dev issuer mints them
    sources: [bearer()],
  })
  return {
    auth,
    sessions,
    async login(user) {
      const { setCookie } = await sessions.issue({
        subject: user.subject,
        scopes: user.scopes,
        roles: user.roles,
      })
      return setCookie
    },
    async logout(request) {
      return (await sessions.logout(request)).setCookie
    },
    close: closeStore,
  }
}
