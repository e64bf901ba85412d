import { AuthError } from '../errors.js'
import type { Identity, TokenSource } from '../identity.js'
import type { CacheEntry } from '../internal/entry.js'
import type { Entries } from './entries.js'
import type { Outcomes } from './outcomes.js'
import type { VerifierParts } from './parts.js'

/**
 * The check of an opaque token by RFC 7662 introspection (its own cache: by hash, bounded by
 * `cacheMaxAge`), for a verifier configured with `introspection`.
 */
export function createVerifyIntrospected<Claims>(
  parts: VerifierParts<Claims>,
  { entryOf, rechecked }: Entries<Claims>,
  { rejection, accepted }: Outcomes<Claims>,
): (token: string, source: TokenSource, started: number) => Promise<Identity<Claims>> {
  const { introspector, revocation } = parts
  const { introspection, maxTokenSize } = parts.config

  return async function verifyIntrospected(
    token: string,
    source: TokenSource,
    started: number,
  ): Promise<Identity<Claims>> {
    const issuer = introspection!.issuer
    const seen = { issuer: issuer.rules.issuer }
    let entry: CacheEntry<Claims> | undefined
    let cached = false
    try {
      if (token.length > maxTokenSize)
        throw new AuthError('token_malformed', `token is larger than ${maxTokenSize} bytes`)
      const found = await introspector!.lookup(token, (payload) => entryOf({}, payload, issuer, source))
      cached = found.cached
      entry = rechecked(found.entry, source)
      await revocation?.settle(token, entry.identity)
    } catch (error) {
      // `cached` false: the JWT cache never holds an opaque token, so there is nothing to drop there.
      throw rejection(error, token, entry, false, source, started, seen)
    }
    return accepted(entry, cached, source, started)
  }
}
