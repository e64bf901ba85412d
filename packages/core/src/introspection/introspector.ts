import { TokenCache } from '../cache.js'
import { AuthError } from '../errors.js'
import { encode } from '../internal/base64url.js'
import { introspect } from './client.js'
import type { NormalizedIntrospection } from './options.js'

/** What an introspected token's answer is checked and turned into an identity by (createAuth's). */
export type BuildEntry<Entry> = (payload: Readonly<Record<string, unknown>>) => Promise<Entry>

/** Introspects opaque tokens: cached by token hash, concurrent lookups of one token merged. */
export interface Introspector<Entry> {
  /** True for a token this introspects: one that is no compact JWS or JWE. */
  handles(token: string): boolean
  /** The entry of an active token, and whether it came from the cache; throws an `AuthError`. */
  lookup(token: string, build: BuildEntry<Entry>): Promise<{ entry: Entry; cached: boolean }>
  clear(): void
}

const utf8 = new TextEncoder()

/** The cache key: the token itself is never kept, so a heap dump does not hold live credentials. */
async function hashOf(token: string): Promise<string> {
  return encode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(token))))
}

/**
 * The claims an introspection answer vouches for, as a JWT payload: `active` dropped, `iss` filled
 * in with the configured issuer when absent, and `sub` falling back to `client_id` (a
 * client-credentials token names no user).
 */
function payloadOf(answer: Record<string, unknown>, issuer: string): Record<string, unknown> {
  const { active: _active, ...claims } = answer
  if (claims.iss === undefined) claims.iss = issuer
  if (claims.sub === undefined && typeof claims.client_id === 'string') claims.sub = claims.client_id
  return claims
}

/**
 * Creates the introspector of an `introspection` option. Only active answers are cached, until
 * `exp` or `cacheMaxAge`, whichever comes first; rejections and faults are never cached.
 *
 * @example
 * const introspector = createIntrospector(config, 10_000, Date.now)
 * const { entry } = await introspector.lookup(token, build)
 */
export function createIntrospector<Entry>(
  config: NormalizedIntrospection,
  max: number,
  now: () => number,
): Introspector<Entry> {
  const cache = new TokenCache<{ entry: Entry; until: number }>(max)
  const inFlight = new Map<string, Promise<Entry>>()
  const issuer = config.issuer.rules.issuer

  async function fresh(key: string, token: string, build: BuildEntry<Entry>): Promise<Entry> {
    const payload = payloadOf(await introspect(token, config), issuer)
    const entry = await build(payload)
    const exp = payload.exp as number
    cache.set(key, { entry, until: Math.min(exp * 1000, now() + config.cacheMaxAge * 1000) })
    return entry
  }

  return {
    handles(token) {
      const dots = token.split('.', 6).length - 1
      return dots !== 2 && dots !== 4
    },
    async lookup(token, build) {
      if (token === '' || /[^\x21-\x7e]/.test(token))
        throw new AuthError('token_malformed', 'token is not a bearer token')
      const key = await hashOf(token)
      const hit = cache.get(key)
      if (hit !== undefined) {
        if (hit.until > now()) return { entry: hit.entry, cached: true }
        cache.delete(key)
      }
      let pending = inFlight.get(key)
      if (pending === undefined) {
        pending = fresh(key, token, build).finally(() => inFlight.delete(key))
        inFlight.set(key, pending)
      }
      return { entry: await pending, cached: false }
    },
    clear() {
      cache.clear()
    },
  }
}
