import { AuthError } from './errors.js'
import type { Identity } from './identity.js'

/**
 * The `revoked` option of `createAuth`: asked on every request whether a verified token is revoked.
 *
 * @example
 * const revoked: RevokedHook = (identity) => identity.subject === 'mallory'
 */
export type RevokedHook<Claims = unknown> = (identity: Identity<Claims>) => boolean | Promise<boolean>

/**
 * The `revoked` hook as `createAuth` runs it: synchronously when the hook answers so, and with an
 * asynchronous answer handed from `authenticateSync` to the `authenticate` that follows it, so a
 * request asks the hook once.
 */
export interface RevocationCheck {
  /**
   * Asks without waiting: undefined when the hook passed the token, a promise when its answer must
   * be waited for (kept for {@link settle}). Throws the rejection.
   */
  ask(token: string, identity: Identity<unknown>): Promise<void> | undefined
  /** The answer for a token: the one {@link ask} started in this turn of the event loop, else a fresh one. */
  settle(token: string, identity: Identity<unknown>): Promise<void> | undefined
}

const revokedError = () => new AuthError('revoked', 'token has been revoked')
// Neither the hook's error nor its text is kept: it may quote the token it was given.
const faultError = () => new AuthError('revocation_unavailable', 'the revocation check failed')

function answerOf(answer: unknown): void {
  if (answer === false) return
  if (answer === true) throw revokedError()
  // Fail closed: undefined (a hook that forgot to return) passes nothing.
  throw new AuthError('revocation_unavailable', 'the "revoked" hook must answer true or false')
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

const ignore = () => {}

/**
 * Wraps a `revoked` hook: `true` is a 401 `revoked`, a throw or rejection a 503
 * `revocation_unavailable` (no cause: the hook's error never leaves), anything but a boolean a 503 too.
 *
 * @example
 * const check = createRevocationCheck((identity) => banned.has(identity.subject))
 * check.ask(token, identity) // undefined, or throws AuthError('revoked')
 */
export function createRevocationCheck(hook: RevokedHook): RevocationCheck {
  // Answers started by `ask` and not yet claimed by `settle`. `authenticate` claims its answer in the
  // same macrotask (its awaits before `verify` are on settled promises), so one timer per turn of the
  // event loop drops whatever is left. An answer nobody claimed (a caller of authenticateSync alone)
  // can thus serve a request for the same token that arrives before that timer (about 1 ms).
  const handedOff = new Map<string, Promise<void>>()
  let sweeping = false
  const sweep = () => {
    sweeping = false
    handedOff.clear()
  }

  function call(identity: Identity<unknown>): Promise<void> | undefined {
    let answer: unknown
    try {
      answer = hook(identity)
    } catch {
      throw faultError()
    }
    if (!isThenable(answer)) {
      answerOf(answer)
      return undefined
    }
    return Promise.resolve(answer).then(answerOf, (error: unknown) => {
      throw error instanceof AuthError && error.code === 'revocation_unavailable' ? error : faultError()
    })
  }

  return {
    ask(token, identity) {
      const started = handedOff.get(token)
      if (started !== undefined) return started
      const pending = call(identity)
      if (pending === undefined) return undefined
      // Nobody may claim it (a caller of authenticateSync alone): never an unhandled rejection.
      pending.catch(ignore)
      handedOff.set(token, pending)
      if (!sweeping) {
        sweeping = true
        setTimeout(sweep, 0)
      }
      return pending
    },
    settle(token, identity) {
      const started = handedOff.get(token)
      if (started !== undefined) {
        handedOff.delete(token)
        return started
      }
      return call(identity)
    },
  }
}
