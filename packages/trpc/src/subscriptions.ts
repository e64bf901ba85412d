import { AuthError, type Identity } from '@portcullis/core'
import type { TRPCError } from '@trpc/server'
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable'
import type { AuthState } from './context.js'
import { toTRPCError, withRealm } from './errors.js'

// setTimeout fires at once past 2^31-1 ms; longer waits are chained.
const MAX_TIMER = 2_147_483_647
/** No re-check this close to expiry (ms): core's clock tolerance keeps the token verifiable until then. */
const RECHECK_MARGIN = 5_000

interface Guard {
  /** Settles with the error that ends the subscription. */
  readonly ended: Promise<TRPCError>
  stop(): void
}

/**
 * A check a subscription passed when it started (its `meta.auth`, a `requireScopes` on its chain):
 * run again with each renewed identity, it throws core's `AuthError` when that identity fails it.
 */
export type SubscriptionCheck = (identity: Identity<unknown>) => void

function startGuard(
  identity: Identity<unknown>,
  state: AuthState | undefined,
  now: () => number,
  checks: readonly SubscriptionCheck[],
): Guard {
  let timer: ReturnType<typeof setTimeout> | undefined
  let interval: ReturnType<typeof setInterval> | undefined
  let unwatch: (() => void) | undefined
  let end!: (error: TRPCError) => void
  const ended = new Promise<TRPCError>((resolve) => {
    end = resolve
  })
  const stop = () => {
    clearTimeout(timer)
    clearInterval(interval)
    unwatch?.()
  }
  const fail = (error: AuthError) => {
    stop()
    state?.challenge(error)
    end(toTRPCError(withRealm(error, state?.realm)))
  }

  let expiresAt = identity.expiresAt?.getTime()
  const wait = () => {
    clearTimeout(timer)
    if (expiresAt === undefined) return
    const left = expiresAt - now()
    if (left <= 0) fail(new AuthError('token_expired', 'token has expired'))
    else timer = setTimeout(wait, Math.min(left, MAX_TIMER))
  }
  wait()

  // A renewal on the connection (see renewal.ts) moves the deadline to the new token's and judges
  // this subscription's own requirements again: one the new token no longer meets ends here.
  if (state?.longLived)
    unwatch = state.onRenew((renewed) => {
      for (const check of checks) {
        try {
          check(renewed)
        } catch (error) {
          if (error instanceof AuthError) return fail(error)
          throw error
        }
      }
      expiresAt = renewed.expiresAt?.getTime()
      wait()
    })

  const every = state?.options.recheckInterval
  if (state && every) {
    let checking = false
    interval = setInterval(async () => {
      // Near expiry the timer ends the subscription; a re-check then could only try a refresh.
      if (checking || (expiresAt !== undefined && expiresAt - now() < RECHECK_MARGIN)) return
      checking = true
      try {
        // A cache hit for a still-valid token; a revoked session or token fails here.
        const result = await state.recheck()
        if (result.status === 'rejected') fail(result.error)
        else if (result.status === 'anonymous') fail(new AuthError('token_missing', 'credentials are gone'))
      } catch {
        // A fault in the check is not a verdict on the token; the next tick tries again.
      } finally {
        checking = false
      }
    }, every)
  }
  return { ended, stop }
}

/**
 * Wraps a subscription's source so it ends with `UNAUTHORIZED` when the token expires, when the
 * check before each event rejects it, or when a periodic re-check does while no event flows. On a
 * connection whose token is renewed it keeps running until the new token's expiry, unless the new
 * identity fails one of `checks` (then `FORBIDDEN`).
 * `return()` reaches the source at once, even while a `next()` is pending.
 */
export function guardSubscription(
  source: unknown,
  identity: Identity<unknown>,
  state: AuthState | undefined,
  signal: AbortSignal | undefined,
  checks: readonly SubscriptionCheck[] = [],
): AsyncIterable<unknown> {
  const iterable = isObservable(source)
    ? observableToAsyncIterable(source, signal ?? new AbortController().signal)
    : (source as AsyncIterable<unknown>)
  const now = state?.options.now ?? Date.now
  return {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const iterator = iterable[Symbol.asyncIterator]()
      const guard = startGuard(identity, state, now, checks)
      let done = false
      const finish = () => {
        if (done) return
        done = true
        guard.stop()
        // Not awaited: a source blocked on its next event must not hold the error back.
        iterator.return?.()?.catch(() => {})
      }
      signal?.addEventListener('abort', () => guard.stop(), { once: true })
      return {
        async next() {
          if (done) return { done: true, value: undefined }
          const pending = iterator.next()
          // Once cut off, the source may still reject later; that is no longer anyone's concern.
          pending.catch(() => {})
          let outcome: IteratorResult<unknown> | TRPCError
          try {
            outcome = await Promise.race([pending, guard.ended])
          } catch (error) {
            done = true
            guard.stop()
            throw error
          }
          if (outcome instanceof Error) {
            finish()
            throw outcome
          }
          if (outcome.done) {
            done = true
            guard.stop()
            return outcome
          }
          // Every event is preceded by a check, as a call is (one store read for a session), so a
          // revoked session stops a busy stream at its next event, not at the next interval.
          if (state) {
            let error: AuthError | undefined
            try {
              error = await state.verifyAgain()
            } catch (fault) {
              finish()
              throw fault
            }
            if (done) return { done: true, value: undefined }
            if (error) {
              finish()
              const final = withRealm(error, state.realm)
              state.challenge(final)
              throw toTRPCError(final)
            }
          }
          return outcome
        },
        async return(value?: unknown) {
          finish()
          return { done: true, value }
        },
      }
    },
  }
}
