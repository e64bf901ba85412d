import type { JWK } from 'jose'
import { type NormalizedDpop, normalizeDpop } from './dpop/options.js'
import { dpopScheme } from './dpop/scheme.js'
import {
  claimPaths,
  DEFAULT_ROLE_CLAIMS,
  DEFAULT_SCOPE_CLAIMS,
  type GrantClaims,
  type Identity,
} from './identity.js'
import { toSeconds } from './internal/duration.js'
import { type NormalizedIntrospection, normalizeIntrospection } from './introspection/options.js'
import { discoverJwksUri } from './keys/discovery.js'
import { isSecureUrl } from './keys/fetch.js'
import { createRemoteKeySet } from './keys/jwks.js'
import {
  ALL_ALGORITHMS,
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  KeyRejectedError,
  keyFromInput,
  keyFromJwk,
  keyFromSecret,
  type VerificationKey,
} from './keys/key.js'
import { type KeySet, localKeySet } from './keys/key-set.js'
import type { NormalizedIssuer } from './normalized-issuer.js'
import type { AuthEvent, AuthOptions, IssuerOptions } from './options.js'
import { type NormalizedResource, normalizeResource } from './resource-metadata.js'
import { type SessionLink, sessionLinkOf } from './sessions/link.js'
import { bearer } from './sources/bearer.js'
import { cookie } from './sources/cookie.js'
import type { TokenReader } from './sources/source.js'
import type { StandardSchemaV1 } from './standard-schema.js'

// Kept importable from here, where it used to live.
export type { NormalizedIssuer } from './normalized-issuer.js'

export interface NormalizedOptions {
  readonly issuers: ReadonlyMap<string, NormalizedIssuer>
  readonly sources: readonly TokenReader[]
  readonly maxTokenSize: number
  readonly cacheMax: number
  readonly realm: string | undefined
  readonly onEvent: ((event: AuthEvent) => void) | undefined
  /** Sessions from `createSessions()`, when given. */
  readonly session: SessionLink | undefined
  /** Only the first source holding a token is read (`firstSourceWins`). */
  readonly firstSourceWins: boolean
  /** RFC 9728 protected-resource metadata, when `resource` is given. */
  readonly resource: NormalizedResource | undefined
  /** RFC 7662 introspection of opaque tokens, when `introspection` is given. */
  readonly introspection: NormalizedIntrospection | undefined
  /** DPoP proof checks, when `dpop` is given. */
  readonly dpop: NormalizedDpop | undefined
  /** Where roles and scopes are read from (`roles.claims`, `scopes.claims`). */
  readonly grants: GrantClaims
  /** The same for introspection answers: RFC 7662's `scope` is always among the scope claims. */
  readonly introspectedGrants: GrantClaims
  /** The `revoked` hook, when given. */
  readonly revoked: ((identity: Identity<unknown>) => boolean | Promise<boolean>) | undefined
}

const toArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T])

function checkString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${option}" must be a non-empty string`)
  return value
}

function keySetOf(
  input: IssuerOptions,
  at: string,
  issuer: string,
  common: AuthOptions<undefined>,
): { keySet: KeySet; algorithms: readonly Algorithm[] } {
  const given = ['jwks', 'keys', 'secret'].filter((name) => input[name as keyof IssuerOptions] !== undefined)
  if (given.length > 1)
    throw new TypeError(`${at}: give only one of "jwks", "keys" or "secret", not ${given.join(' and ')}`)
  const remote = (url: string | (() => Promise<string>)) =>
    createRemoteKeySet(url, { ...common.jwksOptions, onEvent: common.onEvent, now: common.now })
  if (input.secret !== undefined) {
    const secrets = toArray(input.secret)
    if (secrets.length === 0) throw new TypeError(`${at}: "secret" must not be empty`)
    const keys = secrets.map((secret, index) =>
      keyFromSecret(secret, Array.isArray(input.secret) ? `secret[${index}]` : 'secret'),
    )
    return { keySet: localKeySet(keys, `${at}.secret`), algorithms: union(keys) }
  }
  if (input.keys !== undefined) {
    if (!Array.isArray(input.keys) || input.keys.length === 0)
      throw new TypeError(`${at}: "keys" must be a non-empty array`)
    const keys = input.keys.map((key, index) => keyFromInput(key, index))
    return { keySet: localKeySet(keys, `${at}.keys`), algorithms: union(keys) }
  }
  if (input.jwks !== undefined) {
    const jwks = input.jwks
    if (typeof jwks === 'string' || jwks instanceof URL) {
      let url: URL
      try {
        url = new URL(jwks)
      } catch {
        throw new TypeError(`${at}: "jwks" must be an absolute URL or a JSON Web Key Set`)
      }
      // Keys fetched over plain http can be swapped by anyone on the path; loopback is for development.
      if (!isSecureUrl(url))
        throw new TypeError(`${at}: "jwks" URL must use https (plain http only on loopback)`)
      // fetch refuses such a URL and quotes it whole in its error: the password would reach messages.
      if (url.username !== '' || url.password !== '')
        throw new TypeError(
          `${at}: "jwks" URL must not contain a user name or password (send credentials in jwksOptions.headers)`,
        )
      return { keySet: remote(url.href), algorithms: ASYMMETRIC_ALGORITHMS }
    }
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys))
      throw new TypeError(`${at}: "jwks" must be a URL or a JSON Web Key Set ({ keys: [...] })`)
    const keys = jwks.keys.map((jwk: JWK, index: number): VerificationKey => {
      try {
        return keyFromJwk(jwk)
      } catch (error) {
        const reason = error instanceof KeyRejectedError ? error.message : 'it could not be parsed'
        throw new TypeError(`${at}: "jwks.keys[${index}]" is not usable: ${reason}`)
      }
    })
    if (keys.length === 0) throw new TypeError(`${at}: "jwks" has no keys`)
    return { keySet: localKeySet(keys, `${at}.jwks`), algorithms: union(keys) }
  }
  // No key material: OIDC discovery finds jwks_uri, once, and again only after a failure.
  let jwksUri: Promise<string> | undefined
  const discover = () => {
    jwksUri ??= discoverJwksUri(issuer, common.jwksOptions).catch((error: unknown) => {
      jwksUri = undefined
      throw error
    })
    return jwksUri
  }
  return { keySet: remote(discover), algorithms: ASYMMETRIC_ALGORITHMS }
}

function union(keys: readonly VerificationKey[]): Algorithm[] {
  return [...new Set(keys.flatMap((key) => key.algorithms))]
}

function normalizeIssuer(
  input: IssuerOptions,
  at: string,
  common: AuthOptions<undefined>,
): NormalizedIssuer[] {
  if (typeof input !== 'object' || input === null) throw new TypeError(`${at} must be an object`)
  const names = toArray(input.issuer).map((issuer, index) =>
    checkString(issuer, Array.isArray(input.issuer) ? `${at}.issuer[${index}]` : `${at}.issuer`),
  )
  if (names.length === 0) throw new TypeError(`"${at}.issuer" must not be empty`)
  let audience: ReadonlySet<string> | undefined
  if (input.audience === false) audience = undefined
  else if (input.audience === undefined)
    throw new TypeError(`"${at}.audience" is required (use audience: false to accept any audience)`)
  else {
    const audiences = toArray(input.audience).map((value, index) =>
      checkString(value, `${at}.audience[${index}]`),
    )
    if (audiences.length === 0) throw new TypeError(`"${at}.audience" must not be empty`)
    audience = new Set(audiences)
  }
  if (input.algorithms !== undefined) {
    if (!Array.isArray(input.algorithms) || input.algorithms.length === 0)
      throw new TypeError(`"${at}.algorithms" must be a non-empty array`)
    for (const alg of input.algorithms)
      if (!ALL_ALGORITHMS.includes(alg))
        throw new TypeError(`"${at}.algorithms" contains unsupported algorithm "${String(alg)}"`)
  }
  if (input.tokenType !== undefined) checkString(input.tokenType, `${at}.tokenType`)
  const requiredClaims = input.requiredClaims ?? []
  if (!Array.isArray(requiredClaims) || requiredClaims.some((claim) => typeof claim !== 'string'))
    throw new TypeError(`"${at}.requiredClaims" must be an array of claim names`)
  const clockTolerance = toSeconds(input.clockTolerance ?? 5, `${at}.clockTolerance`)
  const maxTokenAge =
    input.maxTokenAge === undefined ? undefined : toSeconds(input.maxTokenAge, `${at}.maxTokenAge`)
  let authorizedParties: ReadonlySet<string> | undefined
  if (input.authorizedParties !== undefined) {
    if (!Array.isArray(input.authorizedParties) || input.authorizedParties.length === 0)
      throw new TypeError(`"${at}.authorizedParties" must be a non-empty array of client ids`)
    authorizedParties = new Set(
      input.authorizedParties.map((party, index) => checkString(party, `${at}.authorizedParties[${index}]`)),
    )
  }

  // Names that share key material share one key set (one JWKS cache); discovery is per issuer.
  const material = input.jwks ?? input.keys ?? input.secret
  const shared = material === undefined ? undefined : keySetOf(input, at, names[0]!, common)
  return names.map((issuer) => {
    const { keySet, algorithms: supported } = shared ?? keySetOf(input, at, issuer, common)
    const algorithms = input.algorithms ?? supported
    const unusable = algorithms.filter((alg) => !supported.includes(alg))
    if (unusable.length > 0)
      throw new TypeError(
        `"${at}.algorithms" lists ${unusable.join(', ')}, which the configured keys cannot verify`,
      )
    return {
      keySet,
      algorithms,
      rules: {
        issuer,
        audience,
        tokenType: input.tokenType,
        clockTolerance,
        maxTokenAge,
        requiredClaims,
        authorizedParties,
      },
    }
  })
}

/** Checks `createAuth` options once, at construction; every mistake is a `TypeError` naming the option. */
export function normalizeOptions(options: AuthOptions<StandardSchemaV1 | undefined>): NormalizedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createAuth() needs an options object')
  const common = options as AuthOptions<undefined>
  const session =
    'sessions' in options && options.sessions !== undefined ? sessionLinkOf(options.sessions) : undefined
  const list: Array<[IssuerOptions, string]> =
    'issuers' in options && options.issuers !== undefined
      ? (() => {
          if (!Array.isArray(options.issuers) || options.issuers.length === 0)
            throw new TypeError('"issuers" must be a non-empty array')
          if ('issuer' in options && options.issuer !== undefined)
            throw new TypeError('give either "issuer" or "issuers", not both')
          return options.issuers.map((issuer, index): [IssuerOptions, string] => [
            issuer,
            `issuers[${index}]`,
          ])
        })()
      : session && (options as { issuer?: unknown }).issuer === undefined
        ? [] // sessions alone
        : [[options as IssuerOptions, 'options']]

  const issuers = new Map<string, NormalizedIssuer>()
  if (session) issuers.set(session.issuer.rules.issuer, session.issuer)
  for (const [input, at] of list) {
    for (const issuer of normalizeIssuer(input, at, common)) {
      if (issuers.has(issuer.rules.issuer))
        throw new TypeError(
          `issuer "${issuer.rules.issuer}" is configured twice${session?.issuer.rules.issuer === issuer.rules.issuer ? ' (once by "sessions")' : ''}`,
        )
      issuers.set(issuer.rules.issuer, issuer)
    }
  }

  const given = options.sources ?? [cookie('__session'), bearer()]
  if (!Array.isArray(given) || given.some((source) => typeof source?.read !== 'function'))
    throw new TypeError('"sources" must be an array of token sources such as cookie(name) and bearer()')
  // The session cookie is read first; a plain cookie source of the same name would read it twice.
  const dpop = options.dpop === undefined ? undefined : normalizeDpop(options.dpop)
  // With DPoP, the Authorization reader also reads `DPoP <token>` (RFC 9449 7.1).
  const read = dpop
    ? given.map((source) =>
        source.kind === 'bearer' && source.name === 'authorization' ? dpopScheme(source) : source,
      )
    : given
  const sources = session
    ? [
        session.reader,
        ...read.filter((source) => !(source.kind === 'cookie' && source.name === session.reader.name)),
      ]
    : read
  const maxTokenSize = options.maxTokenSize ?? 8192
  if (!Number.isInteger(maxTokenSize) || maxTokenSize < 256)
    throw new TypeError('"maxTokenSize" must be an integer of at least 256')
  const cacheMax = options.cache === false ? 0 : (options.cache?.max ?? 10_000)
  if (!Number.isInteger(cacheMax) || cacheMax < 0)
    throw new TypeError('"cache.max" must be a non-negative integer')
  if (options.realm !== undefined) checkString(options.realm, 'realm')
  const firstSourceWins = options.firstSourceWins ?? false
  if (typeof firstSourceWins !== 'boolean') throw new TypeError('"firstSourceWins" must be a boolean')
  if (
    options.claims !== undefined &&
    typeof (options.claims as { '~standard'?: unknown })['~standard'] !== 'object'
  )
    throw new TypeError('"claims" must be a Standard Schema (zod, valibot, arktype, ...)')
  if (options.roles !== undefined && (typeof options.roles !== 'object' || options.roles === null))
    throw new TypeError('"roles" must be an object such as { claims: [...] }')
  if (options.scopes !== undefined && (typeof options.scopes !== 'object' || options.scopes === null))
    throw new TypeError('"scopes" must be an object such as { claims: [...] }')
  const grants: GrantClaims = {
    roles: claimPaths(options.roles?.claims, 'roles.claims', DEFAULT_ROLE_CLAIMS),
    scopes: claimPaths(options.scopes?.claims, 'scopes.claims', DEFAULT_SCOPE_CLAIMS),
  }
  if (options.revoked !== undefined && typeof options.revoked !== 'function')
    throw new TypeError('"revoked" must be a function (identity) => boolean | Promise<boolean>')
  return {
    grants,
    introspectedGrants: grants.scopes.includes('scope')
      ? grants
      : { roles: grants.roles, scopes: ['scope', ...grants.scopes] },
    revoked: options.revoked as NormalizedOptions['revoked'],
    issuers,
    sources,
    maxTokenSize,
    cacheMax,
    realm: options.realm,
    onEvent: options.onEvent,
    session,
    firstSourceWins,
    dpop,
    introspection:
      options.introspection === undefined
        ? undefined
        : normalizeIntrospection(options.introspection, issuers, session?.issuer.rules.issuer),
    resource:
      options.resource === undefined
        ? undefined
        : normalizeResource(
            // RFC 9728 2: the DPoP settings are this verifier's, unless given.
            dpop
              ? {
                  dpopSigningAlgValuesSupported: dpop.algorithms,
                  dpopBoundAccessTokensRequired: dpop.required,
                  ...options.resource,
                }
              : options.resource,
            [...issuers.keys()].filter((issuer) => issuer !== session?.issuer.rules.issuer),
          ),
  }
}
