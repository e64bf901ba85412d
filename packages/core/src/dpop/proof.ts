import { type CryptoKey, calculateJwkThumbprint, compactVerify, importJWK, type JWK } from 'jose'
import { AuthError } from '../errors.js'
import { encode } from '../internal/base64url.js'
import { parseJws } from '../internal/compact.js'
import { parseJsonObject } from '../internal/json.js'
import type { NormalizedDpop } from './options.js'
import { normalizeHtu, type RequestTarget } from './target.js'

/** A proof that checked out: what replay detection keys on. */
export interface CheckedProof {
  readonly jti: string
  /** The SHA-256 thumbprint of the proof's key, equal to the token's `cnf.jkt`. */
  readonly jkt: string
  readonly nonce: unknown
}

// A proof holds a public key of at most a few kilobytes (RSA 4096 is some 1.4 KB in a JWK).
export const MAX_PROOF = 8192
// RFC 7517, RFC 7518 6: members that only a private or symmetric key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const utf8 = new TextEncoder()

const invalid = (message: string, cause?: unknown) =>
  new AuthError('dpop_proof_invalid', `DPoP proof ${message}`, cause === undefined ? {} : { cause })

/**
 * base64url(SHA-256(text)): the `ath` of an access token (RFC 9449 4.2).
 *
 * @example
 * await accessTokenHash(token) // what the proof's "ath" must be
 */
export async function accessTokenHash(text: string): Promise<string> {
  return encode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text))))
}

// RFC 7638 3.2: the members a thumbprint covers, in its order; the key is imported from these alone.
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
}
const MAX_KEYS = 1000
// Imported keys and their thumbprints, by alg and the canonical members: a client signs many proofs
// with one key, and each import or digest is a thread-pool hop on Node.
const keys = new Map<string, Promise<{ key: CryptoKey | Uint8Array; jkt: string }>>()

function keyOf(jwk: JWK, alg: string): Promise<{ key: CryptoKey | Uint8Array; jkt: string }> {
  const members = REQUIRED[jwk.kty as string]!
  const canonical: Record<string, unknown> = {}
  for (const member of members) {
    const value = (jwk as Record<string, unknown>)[member]
    if (typeof value !== 'string' || value === '') throw invalid(`header "jwk" has no "${member}"`)
    canonical[member] = value
  }
  const id = `${alg} ${JSON.stringify(canonical)}`
  let found = keys.get(id)
  if (found === undefined) {
    const pending = Promise.all([
      importJWK(canonical as JWK, alg),
      calculateJwkThumbprint(canonical as JWK, 'sha256'),
    ]).then(([key, jkt]) => ({ key, jkt }))
    // A key that did not import is not remembered: the next proof tries again.
    pending.catch(() => keys.delete(id))
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value!)
    keys.set(id, pending)
    found = pending
  }
  return found
}

function publicJwkOf(value: unknown): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('header "jwk" must be a JSON Web Key')
  const jwk = value as Record<string, unknown>
  for (const member of PRIVATE_MEMBERS)
    if (Object.hasOwn(jwk, member))
      throw invalid('header "jwk" must be a public key (it holds private members)')
  if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP')
    throw invalid('header "jwk" must be an EC, RSA or OKP public key')
  return jwk as JWK
}

/**
 * Checks one DPoP proof (RFC 9449 4.3) for a request and its access token: strict compact JWS,
 * `typ: dpop+jwt`, an allowed asymmetric `alg`, a public embedded `jwk` that verifies it, `htm`
 * and `htu` matching the request, a fresh `iat`, a `jti`, and `ath` matching the token. The key's
 * thumbprint is compared with `jkt` (the token's `cnf.jkt`). Replay and nonce are checked by the caller.
 *
 * @example
 * const { jti } = await checkProof(proof, { method: 'GET', url: 'https://api.example.com/x' }, token, jkt, options, Date.now() / 1000)
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export async function checkProof(
  proof: string,
  target: RequestTarget,
  accessToken: string,
  jkt: string,
  options: Pick<NormalizedDpop, 'algorithms' | 'maxAge' | 'clockTolerance'>,
  nowSeconds: number,
  tokenHash: (token: string) => Promise<string> = accessTokenHash,
): Promise<CheckedProof> {
  let header: Readonly<Record<string, unknown>> & { alg: string }
  try {
    header = parseJws(proof, MAX_PROOF, { embeddedJwk: true }).header
  } catch (error) {
    // The parser speaks of "token": say which one failed, and keep the rule it names.
    if (error instanceof AuthError)
      throw invalid(error.message.replace(/^(token|unsigned tokens)\s*/, 'is not valid: '))
    throw error
  }
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt')
    throw invalid('header "typ" must be "dpop+jwt"')
  if (!(options.algorithms as readonly string[]).includes(header.alg))
    throw new AuthError(
      'dpop_proof_invalid',
      `DPoP proof "alg" must be one of ${options.algorithms.join(', ')}`,
    )
  const jwk = publicJwkOf(header.jwk)
  let payload: Readonly<Record<string, unknown>>
  const imported = keyOf(jwk, header.alg)
  let thumbprint: string
  try {
    const { key, jkt: keyJkt } = await imported
    thumbprint = keyJkt
    const verified = await compactVerify(proof, key, { algorithms: [header.alg] })
    payload = parseJsonObject(verified.payload, 'payload')
  } catch (error) {
    if (error instanceof AuthError) throw invalid('payload is not a JSON object')
    // jose's messages name no key or token material; keep only the class, as the cause.
    throw invalid('signature does not verify with its "jwk"', { name: (error as Error)?.name })
  }
  if (payload.htm !== target.method) throw invalid('"htm" does not match the request method')
  if (typeof payload.htu !== 'string' || normalizeHtu(payload.htu) !== target.url)
    throw invalid('"htu" does not match the request URL')
  const iat = payload.iat
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('"iat" must be a number')
  if (iat > nowSeconds + options.clockTolerance) throw invalid('"iat" is in the future')
  if (iat < nowSeconds - options.maxAge - options.clockTolerance) throw invalid('is too old ("iat")')
  const jti = payload.jti
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw invalid('"jti" must be a short string')
  if (typeof payload.ath !== 'string' || payload.ath !== (await tokenHash(accessToken)))
    throw invalid('"ath" does not match the access token')
  // RFC 9449 7.1: a proof by another key than the token is bound to is a key binding failure.
  if (thumbprint !== jkt)
    throw new AuthError('dpop_binding_invalid', 'DPoP proof key does not match the token binding ("cnf.jkt")')
  return { jti, jkt: thumbprint, nonce: payload.nonce }
}
