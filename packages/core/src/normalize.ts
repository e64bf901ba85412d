import { type NormalizedDpop, normalizeDpop } from './dpop/options.js'
import type { GrantClaims, Identity } from './identity.js'
import { type NormalizedIntrospection, normalizeIntrospection } from './introspection/options.js'
import { checkString } from './normalize/checks.js'
import { grantsOf } from './normalize/grants.js'
import { issuersOf } from './normalize/issuer.js'
import { givenSources, readersOf } from './normalize/sources.js'
import type { NormalizedIssuer } from './normalized-issuer.js'
import type { AuthEvent, AuthOptions } from './options.js'
import { type NormalizedResource, normalizeResource } from './resource-metadata.js'
import { type SessionLink, sessionLinkOf } from './sessions/link.js'
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

/** Checks `createAuth` options once, at construction; every mistake is a `TypeError` naming the option. */
export function normalizeOptions(options: AuthOptions<StandardSchemaV1 | undefined>): NormalizedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createAuth() needs an options object')
  const session =
    'sessions' in options && options.sessions !== undefined ? sessionLinkOf(options.sessions) : undefined
  const issuers = issuersOf(options, session)

  const given = givenSources(options.sources)
  const dpop = options.dpop === undefined ? undefined : normalizeDpop(options.dpop)
  const sources = readersOf(given, dpop, session)
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
  const { grants, introspectedGrants } = grantsOf(options)
  if (options.revoked !== undefined && typeof options.revoked !== 'function')
    throw new TypeError('"revoked" must be a function (identity) => boolean | Promise<boolean>')
  return {
    grants,
    introspectedGrants,
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
