import { AuthError, type DpopChallenge } from '../errors.js'
import type { Identity } from '../identity.js'
import type { HeaderReader, RequestLike } from '../internal/headers.js'
import { storeUnavailable } from '../sessions/guard.js'
import type { TokenReader } from '../sources/source.js'
import { createNonces } from './nonce.js'
import type { NormalizedDpop } from './options.js'
import { accessTokenHash, checkProof, MAX_PROOF } from './proof.js'
import { schemeOf, usesDpopScheme } from './scheme.js'
import { requestTarget } from './target.js'

/**
 * What `authenticate` asks of DPoP: whether a credential needs a proof (without waiting), and the
 * proof check itself, run on every request, cached token or not.
 *
 * @example
 * const dpop = createDpopVerifier(normalizeDpop({ required: true }), Date.now)
 */
export interface DpopVerifier {
  readonly challenge: DpopChallenge
  /**
   * The token's `cnf.jkt` when it needs a proof; undefined when it is an accepted plain bearer token.
   * Throws `dpop_binding_invalid` for a binding broken by the scheme alone.
   */
  bindingOf(identity: Identity<unknown>, reader: TokenReader, headers: HeaderReader): string | undefined
  /** Checks the request's one `DPoP` proof for `token`, bound to `jkt`; throws an `AuthError`. */
  checkProof(request: RequestLike, headers: HeaderReader, token: string, jkt: string): Promise<void>
  /** The error, marked with the DPoP scheme when the request used it (its challenge carries the `error`). */
  withScheme(error: AuthError, headers: HeaderReader | undefined): AuthError
}

const binding = (message: string) => new AuthError('dpop_binding_invalid', message)
const badRequest = (message: string) => new AuthError('dpop_proof_invalid', message, { status: 400 })

function jktOf(identity: Identity<unknown>): string | undefined {
  const cnf = (identity.payload as { cnf?: unknown }).cnf
  if (cnf === undefined) return undefined
  if (typeof cnf !== 'object' || cnf === null) throw binding('"cnf" claim must be an object')
  const jkt = (cnf as { jkt?: unknown }).jkt
  if (jkt === undefined) return undefined
  if (typeof jkt !== 'string' || jkt === '') throw binding('"cnf.jkt" claim must be a string')
  return jkt
}

/**
 * Builds the DPoP checks of one `createAuth` (RFC 9449 7): binding rules, proof, nonce and replay.
 *
 * @example
 * const dpop = createDpopVerifier(normalizeDpop({}), Date.now)
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 */
export function createDpopVerifier(options: NormalizedDpop, now: () => number): DpopVerifier {
  const nonces = options.nonce && createNonces(options.nonce, now)
  // A jti is remembered as long as a proof carrying it could pass the iat check.
  const ttl = Math.ceil(options.maxAge + 2 * options.clockTolerance)
  const challenge: DpopChallenge = Object.freeze({ algs: options.algorithms, bearer: !options.required })
  // The `ath` of the tokens seen last: a token comes back with a new proof on every request, and each
  // digest is a thread-pool hop on Node. Bounded; the tokens are the strings the token cache holds.
  const hashes = new Map<string, Promise<string>>()
  const tokenHash = (token: string) => {
    let hash = hashes.get(token)
    if (hash === undefined) {
      if (hashes.size >= 256) hashes.delete(hashes.keys().next().value!)
      hash = accessTokenHash(token)
      hashes.set(token, hash)
    }
    return hash
  }

  return {
    challenge,
    bindingOf(identity, reader, headers) {
      const jkt = jktOf(identity)
      const scheme = schemeOf(reader, headers)
      if (jkt !== undefined) {
        // RFC 9449 7.1: a bound token sent as a bearer token (or in a cookie) is not accepted.
        if (scheme !== 'DPoP')
          throw binding('DPoP-bound token must be sent with the DPoP authorization scheme')
        return jkt
      }
      if (scheme === 'DPoP') throw binding('token sent with the DPoP scheme is not DPoP-bound (no "cnf.jkt")')
      if (options.required) throw binding('this API accepts DPoP-bound tokens only')
      return undefined
    },
    async checkProof(request, headers, token, jkt) {
      const proofs = headers.all('dpop')
      if (proofs.length === 0) throw new AuthError('dpop_proof_missing', 'request has no DPoP proof header')
      // One proof, one header: two, or two joined by a comma (no JWS holds one), are ambiguous.
      if (proofs.length > 1) throw badRequest('request has more than one DPoP header')
      const proof = proofs[0]!
      if (proof.includes(',')) throw badRequest('request has more than one DPoP proof')
      if (proof.length > MAX_PROOF) throw badRequest(`DPoP header is larger than ${MAX_PROOF} bytes`)
      const target = requestTarget(request, options)
      if (target === undefined)
        throw new AuthError(
          'dpop_proof_invalid',
          'DPoP proof cannot be checked: the request has no method and URL (pass the request itself; its Host header must be host[:port])',
        )
      const checked = await checkProof(proof.trim(), target, token, jkt, options, now() / 1000, tokenHash)
      if (nonces && !(await nonces.accepts(checked.nonce)))
        throw new AuthError('dpop_nonce_required', 'DPoP proof must carry the server nonce', {
          dpopNonce: await nonces.current(),
        })
      // Keyed by a hash: neither jti nor thumbprint is written to the store as sent.
      const key = `dpop:${await accessTokenHash(`${checked.jkt}.${checked.jti}`)}`
      let fresh: boolean
      try {
        fresh = await options.store.compareAndSwap(key, undefined, '1', ttl)
      } catch (error) {
        throw new AuthError('store_unavailable', 'DPoP replay store is unavailable', {
          cause: storeUnavailable(error).cause,
        })
      }
      if (!fresh) throw new AuthError('dpop_replayed', 'DPoP proof was already used ("jti")')
    },
    withScheme(error, headers) {
      if (error.scheme !== undefined || headers === undefined || !usesDpopScheme(headers)) return error
      return new AuthError(error.code, error.message, {
        realm: error.realm,
        resourceMetadata: error.resourceMetadata,
        scopes: error.scopes,
        roles: error.roles,
        status: error.status,
        cause: error.cause,
        dpop: error.dpop,
        scheme: 'DPoP',
        dpopNonce: error.dpopNonce,
      })
    },
  }
}
