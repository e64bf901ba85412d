import type { JSONWebKeySet } from 'jose'
import type { Duration } from '../internal/duration.js'
import type { RequestLike } from '../internal/headers.js'
import type { SecretInput } from '../keys/key.js'
import type { Store } from '../stores/store.js'
import type { SessionCookieOptions } from './cookies.js'
import type { PrivateKeyInput } from './session-keys.js'

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
       * An ES256 (P-256) or EdDSA (Ed25519) private key, or `[current, ...previous]`: an extractable
       * `CryptoKey` or a `CryptoKeyPair`, a Node `KeyObject`, a private JWK or a PKCS#8 PEM. Other
       * services verify with the public keys from `await sessions.jwks()`.
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
  /**
   * Proactive refresh: `authenticate` trades a still-valid access token this close to its expiry for a
   * new one (with `Set-Cookie`), so a long request or a stream that starts just before expiry does not
   * fail mid-way. It costs one rotation (a store write) per session per `accessTtl`, on the first
   * request inside the window; other requests pay nothing. A store fault keeps the valid token (no
   * 503), after the store's own timeout at worst. Must be shorter than `accessTtl`, and needs `refreshGrace` above 0 (requests already in
   * flight with the old cookies share the new refresh token). `0` turns it off.
   * @default 0
   */
  refreshBefore?: Duration
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
  /**
   * Further claims, JSON-serializable: data, never rights. `createAuth` takes a session token's
   * roles from `roles` and its scopes from `scopes` only, whatever its `roles` option reads, so a
   * claim such as `groups` or `'realm_access.roles'` grants nothing. Claims that set `scope`, `scp`,
   * `roles`, `role`, `realm_access` or a registered claim are a `TypeError`.
   */
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

/**
 * Sessions signed by this service: issue, refresh, revoke, log out. Made by `createSessions`.
 *
 * @example
 * const sessions: Sessions = createSessions({ secret, issuer, audience })
 * await sessions.revokeSubject('alice')
 */
export interface Sessions {
  /**
   * Starts a session: stores it, and returns an access token, a refresh token and their cookies.
   * @example
   * const { setCookie } = await sessions.issue({ subject: 'alice', scopes: ['read:reports'] })
   * res.setHeader('set-cookie', setCookie)
   */
  issue(input: SessionInput): Promise<IssuedSession>
  /**
   * Trades a refresh token (the refresh cookie of `request`, or the token itself) for a new pair.
   * Rejects with `refresh_reused` (and revokes the session) when a rotated-out token comes back.
   * @example
   * const { setCookie } = await sessions.refresh(request)
   */
  refresh(input: RequestLike | string): Promise<IssuedSession>
  /**
   * Ends one session: its access tokens fail on the next request on every instance.
   * @example
   * await sessions.revoke(identity.sessionId!)
   */
  revoke(sessionId: string): Promise<void>
  /**
   * Ends every session of a subject ("log out everywhere").
   * @example
   * await sessions.revokeSubject('alice')
   */
  revokeSubject(subject: string): Promise<void>
  /**
   * Revokes the request's session (when its cookies prove one) and returns `Set-Cookie` values that
   * clear every session cookie. Rejects only with `store_unavailable`, so a logout is never lost silently.
   * @example
   * const { setCookie } = await sessions.logout(request)
   */
  logout(request: RequestLike): Promise<LogoutResult>
  /**
   * The public keys that verify access tokens, as a JWKS to serve (with `signingKey` only). A promise:
   * WebCrypto exports the public keys. Throws a `TypeError` at once for sessions with a `secret`.
   * @example
   * app.get('/.well-known/jwks.json', async (_req, res) => res.json(await sessions.jwks()))
   */
  jwks(): Promise<JSONWebKeySet>
  /** The `iss` of the access tokens. */
  readonly issuer: string
  /** The access cookie's name. */
  readonly cookieName: string
  /** The refresh cookie's name. */
  readonly refreshCookieName: string
}
