import { AuthError } from '../errors.js'
import type { Identity, TokenSource } from '../identity.js'
import type { CacheEntry } from '../internal/entry.js'
import type { Entries } from './entries.js'
import { createVerifyIntrospected } from './introspected.js'
import type { Outcomes, Seen } from './outcomes.js'
import type { VerifierParts } from './parts.js'

/** A verifier's `verify`, and `verifyCached`: its answer when the token is cached and nothing waits. */
export interface Verify<Claims> {
  verify(token: string, options?: { source?: TokenSource }): Promise<Identity<Claims>>
  /**
   * `verify` without waiting: the identity of a cached token whose issuer needs no store read after
   * verification, or undefined when `verify` has work to wait for. Throws the rejection like `verify`.
   */
  verifyCached(token: string, source: TokenSource, started: number): Identity<Claims> | undefined
}

/** Verifies a token: from the cache (re-checked), by introspection, or by its signature and claims. */
export function createVerify<Claims>(
  parts: VerifierParts<Claims>,
  entries: Entries<Claims>,
  outcomes: Outcomes<Claims>,
): Verify<Claims> {
  const { cache, revocation, introspector, pulledKeys } = parts
  const { onEvent } = parts.config
  const { verifyUncached, rechecked } = entries
  const { rejection, accepted } = outcomes
  const verifyIntrospected = createVerifyIntrospected(parts, entries, outcomes)

  function verifyCached(token: string, source: TokenSource, started: number): Identity<Claims> | undefined {
    const entry = cache?.get(token)
    if (entry === undefined || entry.issuer.afterVerify) return undefined
    let checked: CacheEntry<Claims>
    try {
      checked = rechecked(entry, source)
    } catch (error) {
      throw rejection(error, token, entry, true, source, started, {})
    }
    if (revocation !== undefined) {
      let pending: Promise<void> | undefined
      try {
        pending = revocation.ask(token, checked.identity)
      } catch (error) {
        // The token stays cached: the hook is asked again on every request anyway.
        throw rejection(error, token, entry, false, source, started, {})
      }
      if (pending !== undefined) return undefined
    }
    return accepted(checked, true, source, started)
  }

  async function verify(
    token: string,
    verifyOptions: { source?: TokenSource } = {},
  ): Promise<Identity<Claims>> {
    const source = verifyOptions.source ?? 'direct'
    const started = onEvent ? performance.now() : 0
    const known = verifyCached(token, source, started)
    if (known) return known
    if (introspector !== undefined && typeof token === 'string' && introspector.handles(token))
      return verifyIntrospected(token, source, started)
    let entry = cache?.get(token)
    const cached = entry !== undefined
    const seen: Seen = {}
    try {
      if (entry) {
        entry = rechecked(entry, source)
      } else {
        entry = await verifyUncached(token, source, seen)
        // Its key was pulled while this verification ran (after the removal dropped the cache):
        // fail it as if the key had gone first, and never cache it.
        if (entry.key !== undefined && pulledKeys.has(entry.key))
          throw new AuthError('key_not_found', 'no trusted key matches the token "kid" and "alg"')
        cache?.set(token, entry)
      }
      await entry.issuer.afterVerify?.(entry.identity)
    } catch (error) {
      throw rejection(error, token, entry, cached, source, started, seen)
    }
    if (revocation !== undefined) {
      try {
        await revocation.settle(token, entry.identity)
      } catch (error) {
        // Kept cached: a revoked token presented again costs the hook, not a signature check.
        throw rejection(error, token, entry, false, source, started, seen)
      }
    }
    return accepted(entry, cached, source, started)
  }

  return { verify, verifyCached }
}
