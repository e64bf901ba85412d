import type { JSONWebKeySet } from 'jose'
import type { CacheOptions } from './cache.js'
import type { DpopOptions } from './dpop/options.js'
import type { AuthErrorCode } from './errors.js'
import type { DefaultClaims, Identity, RoleOptions, ScopeOptions } from './identity.js'
import type { Duration } from './internal/duration.js'
import type { IntrospectionOptions } from './introspection/options.js'
import type { JwksEvent, JwksOptions } from './keys/jwks.js'
import type { Algorithm, KeyInput, SecretInput } from './keys/key.js'
import type { ProtectedResourceOptions } from './resource-metadata.js'
import type { Sessions } from './sessions/options.js'
import type { TokenReader } from './sources/source.js'
import type { StandardSchemaV1 } from './standard-schema.js'

export type { SecretInput } from './keys/key.js'

/**
 * How tokens from one issuer are checked.
 *
 * @example
 * createAuth({ issuer, audience: 'api', jwks, tokenType: 'at+jwt', clockTolerance: '5s', requiredClaims: ['scope'] })
 */
export interface VerificationOptions {
  /**
   * Accepted `aud` values; the token must name at least one. `false` turns the check off, for IdPs
   * whose tokens carry no audience; do that only when the issuer serves this API alone.
   */
  audience: string | readonly string[] | false
  /**
   * Accepted `alg` values. `none` is never accepted.
   * @default the algorithms the key material supports (HS* for a secret, RS/PS/ES/EdDSA for keys)
   */
  algorithms?: readonly Algorithm[]
  /** The required `typ` header, e.g. `'at+jwt'` for RFC 9068 access tokens. @see https://www.rfc-editor.org/rfc/rfc9068#section-4 */
  tokenType?: string
  /** Leeway for `exp`, `nbf` and `iat`. @default '5s' */
  clockTolerance?: Duration
  /** The oldest a token may be, by its `iat`. */
  maxTokenAge?: Duration
  /** Claims that must be present besides `iss`, `sub` and `exp`, which always are. */
  requiredClaims?: readonly string[]
  /**
   * The client ids this API serves (OIDC Core 2 `azp`, Clerk's `authorizedParties`). When given, a
   * token's `azp`, or its `client_id` when it has no `azp` (RFC 9068 access tokens, RFC 7662
   * answers), must be one of them; a token naming neither, or naming two different ones, is refused
   * too (`azp_invalid`, 401).
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
   */
  authorizedParties?: readonly string[]
}

/**
 * Where an issuer's keys come from: exactly one of `jwks`, `keys`, `secret`, or none for OIDC discovery.
 *
 * @example
 * createAuth({ issuer, audience, secret: [process.env.JWT_SECRET!, process.env.JWT_SECRET_PREVIOUS!] })
 */
export type KeyMaterial =
  | {
      /** A JWKS URL, or a JSON Web Key Set object. */
      jwks: string | URL | JSONWebKeySet
      keys?: never
      secret?: never
    }
  | {
      /** Public keys: `CryptoKey`, `KeyObject`, JWK or PEM. */
      keys: readonly KeyInput[]
      jwks?: never
      secret?: never
    }
  | {
      /** A shared secret, or `[current, ...previous]` during a rotation. At least 32 bytes each. */
      secret: SecretInput | readonly SecretInput[]
      jwks?: never
      keys?: never
    }
  | { jwks?: never; keys?: never; secret?: never }

/**
 * One trusted issuer. Without key material its `jwks_uri` is found by OIDC discovery.
 *
 * @example
 * createAuth({ issuers: [{ issuer: 'https://a.example/', audience: 'api', jwks: 'https://a.example/jwks' }] })
 */
export type IssuerOptions = VerificationOptions &
  KeyMaterial & {
    /** The exact `iss` value, or several that share the same keys. */
    issuer: string | readonly string[]
  }

/**
 * What `onEvent` reports: verifications, rejections and key fetches, never tokens.
 *
 * @example
 * createAuth({ issuer, audience, jwks, onEvent: (event) => metrics.increment(event.type) })
 */
export type AuthEvent =
  | {
      type: 'verified'
      issuer: string
      kid: string | undefined
      source: string
      cached: boolean
      durationMs: number
    }
  | {
      type: 'rejected'
      code: AuthErrorCode
      issuer: string | undefined
      kid: string | undefined
      source: string
      durationMs: number
    }
  | JwksEvent

/**
 * Options shared by every `createAuth` configuration.
 *
 * @example
 * createAuth({ issuer, audience, jwks, sources: [bearer()], cache: false })
 */
export interface CommonOptions<Schema extends StandardSchemaV1 | undefined> {
  /** A Standard Schema (zod, valibot, ...) for the payload; its output type becomes `identity.claims`. */
  claims?: Schema
  /**
   * Where tokens are read from. Every source is read: when more than one holds a credential, each
   * must verify and all must name the same `sub` and `iss` (the identity is then the first source's),
   * else the request is rejected (`token_ambiguous`, 400); a malformed or failing credential beside a
   * good one rejects the request. `sessions` put their cookie first.
   * @default [cookie('__session'), bearer()]
   */
  sources?: readonly TokenReader[]
  /**
   * Restores first-wins: the first source holding a token decides, and the sources after it are not
   * read. This gives up the guarantees above: a valid cookie for one user beside a bearer token for
   * another authenticates the cookie's user, and a forged, expired or malformed credential behind a
   * good one passes unseen (so a gateway or log that reads the other one sees someone else). Turn it
   * on only for clients that send stale credentials side by side and cannot be fixed.
   * @default false
   */
  firstSourceWins?: boolean
  /** Where roles live in the payload. */
  roles?: RoleOptions
  /** Where scopes live in the payload, e.g. `{ claims: ['scope', 'permissions'] }` for Auth0. */
  scopes?: ScopeOptions
  /**
   * Asked on every request, cache hits included, whether a verified token is revoked: `true`
   * refuses it (`revoked`, 401); a throw or rejection is `revocation_unavailable` (503), its error
   * never reported. A hook that answers synchronously keeps cached requests synchronous
   * (`authenticateSync`); a promise makes them wait. `denyList({ store }).revoked` is one.
   *
   * @example
   * createAuth({ issuer, audience, jwks, revoked: (identity) => banned.has(identity.subject) })
   */
  revoked?: (
    identity: Identity<
      Schema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Schema> : DefaultClaims
    >,
  ) => boolean | Promise<boolean>
  /** The verified-token cache, or `false` to verify every token every time. @default { max: 10000 } */
  cache?: CacheOptions | false
  /** The largest token accepted, in bytes. @default 8192 */
  maxTokenSize?: number
  /** The `realm` in `WWW-Authenticate` challenges. */
  realm?: string
  /**
   * This API's RFC 9728 protected-resource metadata (required of MCP servers): served by
   * `resourceMetadataResponse`, and named as `resource_metadata` in every challenge.
   * @see https://www.rfc-editor.org/rfc/rfc9728
   */
  resource?: ProtectedResourceOptions
  /**
   * RFC 7662 token introspection for opaque (non-JWT) access tokens: each is POSTed to the endpoint
   * once, and an active answer is reused until its `exp` or `cacheMaxAge`. JWTs are still verified
   * locally.
   * @see https://www.rfc-editor.org/rfc/rfc7662
   */
  introspection?: IntrospectionOptions
  /**
   * DPoP (RFC 9449) sender-constrained tokens: a token with `cnf.jkt` passes only as
   * `Authorization: DPoP <token>` with a valid `DPoP` proof, checked on every request (replays
   * refused through `store`). Without it, `cnf` is not looked at.
   * @see https://www.rfc-editor.org/rfc/rfc9449
   */
  dpop?: DpopOptions
  /** How remote JWKS are fetched and cached. */
  jwksOptions?: JwksOptions
  /** Reports verifications, rejections and JWKS fetches (no tokens), for metrics and logs. */
  onEvent?: (event: AuthEvent) => void
  /** The clock, in milliseconds; for tests. @default Date.now */
  now?: () => number
}

/**
 * Sessions signed by this service, from `createSessions()`: verified first, revocation checked.
 *
 * @example
 * const auth = createAuth({ sessions, issuers: [{ issuer: 'https://id.example.com/', audience }] })
 */
export interface SessionsOption {
  /** Verifies these sessions (their cookie is read first) and refreshes them transparently. */
  sessions: Sessions
}

/**
 * Options of `createAuth`: one issuer inline, or several under `issuers`, or `sessions` alone, or
 * `sessions` beside either.
 *
 * @example
 * const options: AuthOptions = { issuer: 'https://id.example.com/', audience: 'api', jwks: 'https://id.example.com/jwks' }
 */
export type AuthOptions<Schema extends StandardSchemaV1 | undefined = undefined> = CommonOptions<Schema> &
  (
    | (IssuerOptions & { issuers?: never } & Partial<SessionsOption>)
    | ({ issuers: readonly IssuerOptions[]; issuer?: never } & Partial<SessionsOption>)
    | (SessionsOption & { issuer?: never; issuers?: never })
  )
