import { AuthError } from '@portcullis/core'
import type { ExecutionResult, GraphQLError } from 'graphql'
import { toGraphQLError } from './errors.js'

/** How a subscription stays authorized while it runs. */
export interface StreamGuard {
  /** When the token expires; the stream ends then. */
  readonly expiresAt: Date | undefined
  /** The clock, in milliseconds. */
  readonly now: () => number
  /** Verifies the credentials again (expiry, revocation; never a refresh): the error that ends the stream. */
  readonly recheck: () => Promise<AuthError | undefined>
  /** Milliseconds without an event after which the credentials are verified anyway. */
  readonly recheckEvery: number
  /** Hands the stream's controls to a renewal (see renewal.ts); returns how to let go of them. */
  readonly watch?: (control: StreamControl) => () => void
}

/**
 * What a token renewal does to a running stream: moves its deadline to the new token's, or ends it
 * with the errors its operation now meets (the new identity no longer holds a rule).
 */
export interface StreamControl {
  retime(expiresAt: Date | undefined): void
  end(errors: readonly GraphQLError[]): void
}

// setTimeout fires at once for delays above 2^31 - 1 ms, so long waits are taken in steps.
const MAX_DELAY = 2 ** 31 - 1
/** Why a stream stops between events: an authorization error, or an unexpected fault to rethrow. */
type Stop =
  | { readonly error: AuthError }
  | { readonly errors: readonly GraphQLError[] }
  | { readonly fault: unknown }
const STOP = Symbol('stop')

/**
 * Wraps a subscription's event stream so it ends, with one final `UNAUTHENTICATED` error, when the
 * token expires, or when verifying again fails: before each event, and every `recheckEvery`
 * milliseconds while no event flows (a revoked session, say). Every timer stops with the stream.
 */
export function guardStream(
  source: AsyncIterable<ExecutionResult>,
  guard: StreamGuard,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]()
  let expiryTimer: ReturnType<typeof setTimeout> | undefined
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  let unwatch: (() => void) | undefined
  let done = false
  let stopping = false
  let stop!: (reason: Stop) => void
  const stopped = new Promise<{ [STOP]: Stop }>((resolve) => {
    stop = (reason) => {
      // The stream is over for the client: no more checks, whether or not it asks for the last event.
      stopping = true
      clearTimeout(expiryTimer)
      clearTimeout(idleTimer)
      unwatch?.()
      resolve({ [STOP]: reason })
    }
  })

  let at = guard.expiresAt?.getTime()
  const arm = () => {
    clearTimeout(expiryTimer)
    if (at === undefined || stopping) return
    const delay = at - guard.now()
    if (delay <= 0) return stop({ error: new AuthError('token_expired', 'token has expired') })
    expiryTimer = setTimeout(arm, Math.min(delay, MAX_DELAY))
    expiryTimer.unref?.()
  }
  arm()
  unwatch = guard.watch?.({
    retime(expiresAt) {
      at = expiresAt?.getTime()
      arm()
    },
    end: (errors) => stop({ errors }),
  })

  /** (Re)starts the idle countdown: called at the start and after every passed check. */
  const armIdle = () => {
    clearTimeout(idleTimer)
    if (done || stopping) return
    idleTimer = setTimeout(async () => {
      let error: AuthError | undefined
      try {
        error = await guard.recheck()
      } catch (fault) {
        return stop({ fault })
      }
      if (error) stop({ error })
      else armIdle()
    }, guard.recheckEvery)
    idleTimer.unref?.()
  }
  armIdle()

  const finish = async (): Promise<void> => {
    if (done) return
    done = true
    clearTimeout(expiryTimer)
    clearTimeout(idleTimer)
    unwatch?.()
    await iterator.return?.()
  }
  const end = (reason: Stop): IteratorResult<ExecutionResult> => {
    void finish()
    if ('fault' in reason) throw reason.fault
    if ('errors' in reason) return { done: false, value: { errors: [...reason.errors] } }
    return { done: false, value: { errors: [toGraphQLError(reason.error, { http: false })] } }
  }

  return {
    async next() {
      if (done) return { done: true, value: undefined }
      const next = await Promise.race([iterator.next(), stopped])
      if (done) return { done: true, value: undefined }
      if (STOP in next) return end(next[STOP])
      if (next.done) {
        await finish()
        return next
      }
      let error: AuthError | undefined
      try {
        error = await guard.recheck()
      } catch (fault) {
        return end({ fault })
      }
      if (done) return { done: true, value: undefined }
      if (error) return end({ error })
      armIdle()
      return next
    },
    async return() {
      await finish()
      return { done: true, value: undefined }
    },
    async throw(error: unknown) {
      await finish()
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
