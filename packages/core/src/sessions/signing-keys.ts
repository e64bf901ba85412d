import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  importJWK,
  importPKCS8,
  type JWK,
  SignJWT,
} from 'jose'
import { type Algorithm, type KeyObjectLike, keyFromJwk } from '../keys/key.js'
import { PemError, pkcs8Algorithm } from '../keys/pem.js'
import { lazyKeySet } from './lazy-key-set.js'
import { type PrivateKeyInput, SESSION_TOKEN_TYPE, type SessionKeys } from './session-keys.js'

type SigningAlgorithm = 'ES256' | 'EdDSA'

/** A signing key checked at construction; `load` imports it and finds its public half with WebCrypto. */
interface PendingKey {
  readonly alg: SigningAlgorithm
  load(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }>
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y'] as const
const publicHalf = (jwk: JWK): JWK =>
  Object.fromEntries(
    PUBLIC_MEMBERS.filter((name) => jwk[name] !== undefined).map((name) => [name, jwk[name]]),
  )

function algorithmOf(
  key: { kty?: string; crv?: string } | CryptoKey['algorithm'],
): SigningAlgorithm | undefined {
  const named = key as { kty?: string; crv?: string; name?: string; namedCurve?: string }
  if (
    (named.kty === 'EC' && named.crv === 'P-256') ||
    (named.name === 'ECDSA' && named.namedCurve === 'P-256')
  )
    return 'ES256'
  if ((named.kty === 'OKP' && named.crv === 'Ed25519') || named.name === 'Ed25519') return 'EdDSA'
  return undefined
}

const wrongType = (option: string) =>
  new TypeError(`"${option}" must be an ES256 (P-256) or EdDSA (Ed25519) key`)
const notPrivate = (option: string, type: string) =>
  new TypeError(`"${option}" must be a private key, not a ${type} key`)
const unreadable = (option: string) =>
  new TypeError(`"${option}" must be a private key: CryptoKey, KeyObject, private JWK or PKCS#8 PEM`)

function fromJwk(jwk: JWK, option: string): PendingKey {
  if (typeof jwk.d !== 'string') throw notPrivate(option, 'public')
  const alg = algorithmOf(jwk)
  if (!alg) throw wrongType(option)
  const publicJwk = publicHalf(jwk)
  return {
    alg,
    load: async () => ({ privateKey: (await importJWK({ ...jwk, alg }, alg)) as CryptoKey, publicJwk }),
  }
}

function fromCryptoKey(privateKey: CryptoKey, publicKey: CryptoKey | undefined, option: string): PendingKey {
  if (privateKey.type !== 'private') throw notPrivate(option, privateKey.type)
  const alg = algorithmOf(privateKey.algorithm)
  if (!alg) throw wrongType(option)
  if (!privateKey.usages.includes('sign'))
    throw new TypeError(`"${option}" CryptoKey usages do not include "sign"`)
  // WebCrypto cannot derive a public key from a private one: export it, or take the pair's public key.
  if (!publicKey && !privateKey.extractable)
    throw new TypeError(
      `"${option}" CryptoKey must be extractable, or give the pair: { privateKey, publicKey }`,
    )
  return {
    alg,
    async load() {
      if (publicKey) await checkPair(privateKey, publicKey, alg, option)
      return { privateKey, publicJwk: publicHalf(await exportJWK(publicKey ?? privateKey)) }
    },
  }
}

/** A pair whose halves do not match would publish a key that verifies nothing: check once, on first use. */
async function checkPair(privateKey: CryptoKey, publicKey: CryptoKey, alg: SigningAlgorithm, option: string) {
  const params = alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' }
  const probe = new TextEncoder().encode('portcullis key pair check')
  const signature = await crypto.subtle.sign(params, privateKey, probe)
  if (
    publicKey.type !== 'public' ||
    !(await crypto.subtle.verify(params, publicKey, signature, probe).catch(() => false))
  )
    throw new TypeError(`"${option}" publicKey is not the public half of its privateKey`)
}

function fromPem(pem: string, option: string): PendingKey {
  let alg: SigningAlgorithm | undefined
  try {
    alg = pkcs8Algorithm(pem)
  } catch (error) {
    if (error instanceof PemError) throw unreadable(option)
    throw error
  }
  if (!alg) throw wrongType(option)
  const algorithm = alg
  return {
    alg,
    async load() {
      // Imported extractable once, to read its public half; signing uses a non-extractable copy.
      const jwk = await exportJWK(await importPKCS8(pem, algorithm, { extractable: true }))
      return {
        privateKey: (await importJWK({ ...jwk, alg: algorithm }, algorithm)) as CryptoKey,
        publicJwk: publicHalf(jwk),
      }
    },
  }
}

const isCryptoKey = (value: unknown): value is CryptoKey =>
  typeof globalThis.CryptoKey !== 'undefined' && value instanceof globalThis.CryptoKey

function isKeyObject(value: unknown): value is KeyObjectLike & { asymmetricKeyType?: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { export?: unknown }).export === 'function' &&
    (value as { constructor?: { name?: string } }).constructor?.name?.endsWith('KeyObject') === true
  )
}

function pendingKey(input: PrivateKeyInput, option: string): PendingKey {
  if (typeof input === 'string') return fromPem(input, option)
  if (isCryptoKey(input)) return fromCryptoKey(input, undefined, option)
  if (typeof input !== 'object' || input === null) throw unreadable(option)
  if ('privateKey' in input && isCryptoKey(input.privateKey)) {
    if (!isCryptoKey(input.publicKey)) throw unreadable(option)
    return fromCryptoKey(input.privateKey, input.publicKey, option)
  }
  if (isKeyObject(input)) {
    if (input.type !== 'private') throw notPrivate(option, input.type)
    let jwk: JWK
    try {
      jwk = input.export({ format: 'jwk' }) as JWK
    } catch {
      throw wrongType(option)
    }
    return fromJwk(jwk, option)
  }
  if (typeof (input as JWK).kty === 'string') return fromJwk(input as JWK, option)
  throw unreadable(option)
}

/** Session keys from ES256 or EdDSA private keys; each key's `kid` is its RFC 7638 thumbprint. */
export function signingKeys(inputs: readonly PrivateKeyInput[], isArray: boolean): SessionKeys {
  const pending = inputs.map((input, index) =>
    pendingKey(input, isArray ? `signingKey[${index}]` : 'signingKey'),
  )
  const current = pending[0]!
  let loaded: Promise<readonly { privateKey: CryptoKey; publicJwk: JWK }[]> | undefined
  const load = () => {
    loaded ??= Promise.all(
      pending.map(async ({ alg, load }) => {
        const { privateKey, publicJwk } = await load()
        const kid = await calculateJwkThumbprint(publicJwk)
        return { privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } }
      }),
    )
    loaded.catch(() => {
      loaded = undefined
    })
    return loaded
  }
  return {
    algorithm: current.alg satisfies Algorithm,
    keySet: lazyKeySet(async () => (await load()).map(({ publicJwk }) => keyFromJwk(publicJwk))),
    jwks: async () => ({ keys: (await load()).map(({ publicJwk }) => ({ ...publicJwk })) }),
    unseal: undefined,
    async issue(payload) {
      const [{ privateKey, publicJwk }] = (await load()) as [{ privateKey: CryptoKey; publicJwk: JWK }]
      return new SignJWT(payload)
        .setProtectedHeader({ alg: current.alg, kid: publicJwk.kid!, typ: SESSION_TOKEN_TYPE })
        .sign(privateKey)
    },
  }
}
