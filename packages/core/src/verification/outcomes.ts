import { AuthError } from '../errors.js'
import type { Identity, TokenSource } from '../identity.js'
import type { CacheEntry } from '../internal/entry.js'
import type { AuthEvent } from '../options.js'
import type { VerifierParts } from './parts.js'

/** What a rejection event may report: only values that configuration vouches for. */
export interface Seen {
  issuer?: string
  kid?: string
}

/** How a verification ends: the events it reports, and the error or identity it gives. */
export interface Outcomes<Claims> {
  /** Reports an event to `onEvent`; a hook that throws is ignored. */
  emit(event: AuthEvent): void
  /** Reports a rejection (dropping a cached token that failed its re-check) and gives the error to throw. */
  rejection(
    error: unknown,
    token: string,
    entry: CacheEntry<Claims> | undefined,
    cached: boolean,
    source: TokenSource,
    started: number,
    seen: Seen,
  ): unknown
  /** Reports a verified token and gives its identity. */
  accepted(entry: CacheEntry<Claims>, cached: boolean, source: TokenSource, started: number): Identity<Claims>
}

/** The events and answers of a verifier's `onEvent` hook, cache and challenge. */
export function createOutcomes<Claims>(parts: VerifierParts<Claims>): Outcomes<Claims> {
  const { cache, withRealm } = parts
  const { onEvent } = parts.config

  function emit(event: AuthEvent): void {
    if (!onEvent) return
    try {
      onEvent(event)
    } catch {
      // A faulty metrics hook must not turn into an authentication failure.
    }
  }

  const rejection: Outcomes<Claims>['rejection'] = (error, token, entry, cached, source, started, seen) => {
    if (cached) cache?.delete(token)
    if (!(error instanceof AuthError)) return error
    if (onEvent) {
      emit({
        type: 'rejected',
        code: error.code,
        issuer: entry?.identity.issuer ?? seen.issuer,
        kid: entry?.identity.keyId ?? seen.kid,
        source,
        durationMs: performance.now() - started,
      })
    }
    return withRealm(error)
  }

  const accepted: Outcomes<Claims>['accepted'] = (entry, cached, source, started) => {
    if (onEvent) {
      const { issuer, keyId } = entry.identity
      emit({ type: 'verified', issuer, kid: keyId, source, cached, durationMs: performance.now() - started })
    }
    return entry.identity
  }

  return { emit, rejection, accepted }
}
