import type { IncomingMessage } from 'node:http'
import { type Auth, type AuthResult, createSlot, type Identity, type Slot } from '@portcullis/core'

/**
 * Exactly what core is given: a Node `IncomingMessage` or a Fetch `Request`.
 *
 * @example
 * const request: CoreRequest = fastifyRequest.raw // or req (Express), c.req.raw (Hono)
 */
export type CoreRequest = IncomingMessage | Request

/**
 * A verifier and what it concluded about one request.
 *
 * @example
 * const verdict: Verdict | undefined = verdictOf(req)
 */
export interface Verdict {
  readonly auth: Auth<unknown>
  readonly result: AuthResult<unknown>
}

// Kept on the request core read, so a framework's wrapper objects (or a copy of them) never matter,
// and a guard reads what the verifier concluded rather than a property any layer could overwrite. A
// slot (a private field stamped on the request), not a WeakMap keyed by every request: such a map
// costs the garbage collector an ephemeron per request (see core's createSlot). Under Symbol.for on
// globalThis, so two copies of this package in one app share it (an older copy's WeakMap included:
// it has the same get and set).
const REGISTRY = Symbol.for('portcullis.http.verdicts')
const shared = globalThis as { [REGISTRY]?: Slot<Verdict> }
const verdicts: Slot<Verdict> = shared[REGISTRY] ?? createSlot()
shared[REGISTRY] = verdicts

/**
 * What the middleware concluded for this request: the latest verdict, or undefined when no
 * middleware ran.
 *
 * @example
 * if (verdictOf(req)?.result.status === 'authenticated') next()
 */
export function verdictOf(request: object): Verdict | undefined {
  return verdicts.get(request)
}

/**
 * The identity a verdict carries, or null.
 *
 * @example
 * req.identity = identityOf(result)
 */
export function identityOf<Claims>(result: AuthResult<Claims> | undefined): Identity<Claims> | null {
  return result?.status === 'authenticated' ? result.identity : null
}

/**
 * This verifier's verdict on the request, verified at most once however many times the middleware
 * is mounted: `fresh` is false when it was known already (its cookies were forwarded then).
 * Synchronous for a cached token, no credentials or a malformed header; a promise otherwise.
 * The verdict is kept under `request`; core reads `source`, which must carry the same headers (by
 * default, the request itself).
 *
 * @example
 * const found = authenticateOnce(auth, req)
 * const { result, fresh } = found instanceof Promise ? await found : found
 */
export function authenticateOnce<Claims>(
  auth: Auth<Claims>,
  request: CoreRequest,
  source: CoreRequest = request,
):
  | { readonly result: AuthResult<Claims>; readonly fresh: boolean }
  | Promise<{ readonly result: AuthResult<Claims>; readonly fresh: boolean }> {
  const known = verdicts.get(request)
  if (known?.auth === auth) return { result: known.result as AuthResult<Claims>, fresh: false }
  const answer = auth.authenticateSync(source)
  if (answer !== undefined) {
    verdicts.set(request, { auth, result: answer })
    return { result: answer, fresh: true }
  }
  return auth.authenticate(source).then((result) => {
    verdicts.set(request, { auth, result })
    return { result, fresh: true }
  })
}
