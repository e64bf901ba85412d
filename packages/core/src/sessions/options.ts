import type { Duration } from '../internal/duration.js'
import type { SecretInput } from '../options.js'
import type { Store } from '../stores/store.js'
import type { SessionCookieOptions } from './cookies.js'
import type { PrivateKeyInput } from './keys.js'

/**
 * How session access tokens are signed: a shared secret (optionally sealed), or an asymmetric key.
 *
 * @example
 * const keys: SessionKeyOptions = { secret: [currentSecret, previousSecret], sealed: true }
 */
export type SessionKeyOptions =
  | {
      /**
       * `[current, ...previous]`: new tokens are signed with the first, any verifies. At least 32 bytes
       * each. Drop a previous secret once `accessTtl` has passed since the rotation.
       */
      secret: SecretInput | readonly SecretInput[]
      signingKey?: never
      /**
       * Encrypt access tokens (JWE `dir` + `A256GCM`, key derived from `secret`) so the browser and
       * anything on the way cannot read the claims.
       * @default false
       */
      sealed?: boolean
    }
  | {
      /**
       * An ES256 (P-256) or EdDSA (Ed25519) private key, or `[current, ...previous]`. Other services
       * verify with the public keys from `sessions.jwks()`.
       */
      signingKey: PrivateKeyInput | readonly PrivateKeyInput[]
      secret?: never
      sealed?: false
    }

/**
 * Options of `createSessions`.
 *
 * @example
 * const options: SessionsOptions = {
 *   secret: process.env.SESSION_SECRET!,
 *   issuer: 'https://api.example.com',
 *   audience: 'https://api.example.com',
 *   accessTtl: '5m',
 *   refreshTtl: '30d',
 * }
 */
export type SessionsOptions = SessionKeyOptions & {
  /** The `iss` of every access token; must differ from any external issuer given to `createAuth`. */
  issuer: string
  /** The `aud` of every access token. */
  audience: string
  /** How long an access token lives. @default '5m' */
  accessTtl?: Duration
  /** How long a session can be refreshed after it was issued (absolute, not sliding). @default '30d' */
  refreshTtl?: Duration
  /** Give a new refresh token on every refresh, and treat a second use of the old one as theft. @default true */
  rotateRefresh?: boolean
  /**
   * How long after a rotation the previous refresh token still works (and yields the same new
   * refresh token), so two tabs refreshing at once are not mistaken for theft. `0` turns it off.
   * @default '10s'
   */
  refreshGrace?: Duration
  /** Cookie names and attributes. */
  cookie?: SessionCookieOptions
  /** Where sessions live: `memoryStore()` for one process, `redisStore(redis)` for several. @default memoryStore() */
  store?: Store
  /**
   * What a verified access token gets while the store cannot be reached: `'reject'` (503
   * `store_unavailable`, revocations always hold) or `'allow'` (accepted without the revocation
   * check until the store is back). Refresh, issue and revoke always need the store.
   * @default 'reject'
   */
  onStoreError?: 'reject' | 'allow'
  /** The most live sessions one subject may have; issuing past it ends the oldest. @default 100 */
  maxSessionsPerSubject?: number
  /** Leeway for `exp`, `nbf` and `iat` when verifying access tokens. @default '5s' */
  clockTolerance?: Duration
  /** The clock, in milliseconds; `createAuth({ sessions })` uses it too unless given its own. @default Date.now */
  now?: () => number
}

/**
 * What a session is issued for. Reserved claims (`iss`, `sub`, `exp`, ...) cannot be set in `claims`.
 *
 * @example
 * await sessions.issue({ subject: 'alice', scopes: ['read:reports'], roles: ['admin'], claims: { tenant: 'acme' } })
 */
export interface SessionInput {
  /** The `sub`: who signed in. */
  subject: string
  /** Scopes, carried as the space-delimited `scope` claim. */
  scopes?: readonly string[]
  /** Roles, carried as the `roles` claim. */
  roles?: readonly string[]
  /** Further claims, JSON-serializable. */
  claims?: Readonly<Record<string, unknown>>
}

/**
 * A fresh access token and refresh token, and the cookies that carry them.
 *
 * @example
 * const { setCookie, sessionId }: IssuedSession = await sessions.issue({ subject: 'alice' })
 * res.setHeader('set-cookie', setCookie)
 */
export interface IssuedSession {
  /** The session id (the `sid` claim): pass it to `revoke`. */
  readonly sessionId: string
  /** The access token: a JWT, or a JWE when `sealed`. */
  readonly accessToken: string
  /** The opaque refresh token. */
  readonly refreshToken: string
  /** `Set-Cookie` header values for the access and refresh cookies. */
  readonly setCookie: readonly string[]
  /** When the access token expires. */
  readonly expiresAt: Date
  /** When the session ends and the refresh token stops working. */
  readonly refreshExpiresAt: Date
}

/**
 * What `logout` did.
 *
 * @example
 * const { setCookie }: LogoutResult = await sessions.logout(request)
 * return new Response(null, { status: 204, headers: setCookie.map((value) => ['set-cookie', value]) })
 */
export interface LogoutResult {
  /** `Set-Cookie` header values that clear every session cookie. Always apply them. */
  readonly setCookie: readonly string[]
  /** The session that was revoked, when the request proved one. */
  readonly sessionId: string | undefined
}
