import type { IncomingMessage } from 'node:http'
import { type Auth, bearer, cookie, createAuth } from '@portcullis/core'
import type { DevKey } from './dev-keys.js'
import type { DevIssuer } from './issuer.js'
import type { DemoUser } from './users.js'

/** The demo's cookie sessions and the verifier that accepts them and bearer tokens. */
export interface DemoSessions {
  readonly auth: Auth
  /** Issues a session; returns the `Set-Cookie` values. */
  login(user: DemoUser): Promise<readonly string[]>
  /** Ends the session of this request; returns the `Set-Cookie` values that clear it. */
  logout(request: IncomingMessage): Promise<readonly string[]>
  close(): Promise<void>
}

const COOKIE = '__Host-session'

/** Placeholder until core's createSessions lands: the access token itself, in a cookie. */
export async function createDemoSessions(options: {
  issuer: DevIssuer
  key: DevKey
  accessTtl: number
  refreshTtl: number
  redisUrl: string | undefined
}): Promise<DemoSessions> {
  const { issuer } = options
  const auth = createAuth({
    issuer: issuer.issuer,
    audience: issuer.audience,
    sources: [cookie(COOKIE), bearer()],
  })
  return {
    auth,
    async login(user) {
      const token = await issuer.mint({
        subject: user.subject,
        scopes: user.scopes,
        roles: user.roles,
        ttl: options.accessTtl,
      })
      return [`${COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${options.accessTtl}`]
    },
    async logout() {
      return [`${COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`]
    },
    async close() {},
  }
}
