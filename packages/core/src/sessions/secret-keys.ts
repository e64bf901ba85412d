import {
  CompactEncrypt,
  type CryptoKey,
  compactDecrypt,
  type JWTPayload,
  errors as joseErrors,
  SignJWT,
} from 'jose'
import { AuthError } from '../errors.js'
import { decodeCanonical, encode } from '../internal/base64url.js'
import { keyFromSecret, type SecretInput } from '../keys/key.js'
import { lazyKeySet } from './lazy-key-set.js'
import { SESSION_TOKEN_TYPE, type SessionKeys } from './session-keys.js'

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const SEAL_INFO = utf8.encode('portcullis sealed session v1')
const JWE_PART = /^[A-Za-z0-9_-]*$/

function secretBytes(secret: SecretInput, option: string): Uint8Array<ArrayBuffer> {
  const bytes = typeof secret === 'string' ? utf8.encode(secret) : secret
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${option}" must be a string or a Uint8Array`)
  if (bytes.byteLength < 32) throw new TypeError(`"${option}" must be at least 32 bytes`)
  return Uint8Array.from(bytes)
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, index) => byte === b[index])

/** A key id that names a secret without revealing it: an HMAC-SHA-256 of a fixed label, cut to 12. */
async function secretKid(bytes: Uint8Array<ArrayBuffer>, label: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', key, utf8.encode(`portcullis ${label} kid`))
  return `${label}-${encode(new Uint8Array(mac)).slice(0, 12)}`
}

/** The A256GCM key that seals sessions: HKDF-SHA-256 of the secret, so never the signing secret itself. */
async function sealingKey(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', bytes, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: SEAL_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(strictUtf8.decode(bytes))
  } catch {
    throw new AuthError('token_malformed', `sealed token ${what} is not valid JSON`)
  }
}

/** Session keys from shared secrets: HS256 signatures, or JWE `dir` + `A256GCM` when `sealed`. */
export function secretKeys(inputs: readonly SecretInput[], isArray: boolean, sealed: boolean): SessionKeys {
  const option = (index: number) => (isArray ? `secret[${index}]` : 'secret')
  const secrets = inputs.map((secret, index) => secretBytes(secret, option(index)))
  // Checked now, as a local key set checks its kids: the same secret twice is a configuration mistake.
  secrets.forEach((bytes, index) => {
    if (secrets.findIndex((other) => sameBytes(other, bytes)) !== index)
      throw new TypeError('"secret" has more than one key with the same "kid"')
  })
  // Validated now (length, algorithms); the kid, an HMAC, is computed by WebCrypto on first use.
  const unnamed = secrets.map((bytes, index) => keyFromSecret(bytes, option(index)))
  const keySet = lazyKeySet(async () =>
    Promise.all(unnamed.map(async (key, index) => ({ ...key, kid: await secretKid(secrets[index]!, 'hs') }))),
  )
  let sealing: Promise<readonly { key: CryptoKey; kid: string }[]> | undefined
  const sealingKeys = () => {
    sealing ??= Promise.all(
      secrets.map(async (bytes) => ({ key: await sealingKey(bytes), kid: await secretKid(bytes, 'enc') })),
    )
    sealing.catch(() => {
      sealing = undefined
    })
    return sealing
  }

  async function unseal(token: string) {
    const parts = token.split('.')
    if (parts.length !== 5 || parts.some((part) => !JWE_PART.test(part)))
      throw new AuthError('token_malformed', 'sealed token is not a compact JWE')
    const headerBytes = decodeCanonical(parts[0]!)
    const header = headerBytes ? parseJson(headerBytes, 'header') : undefined
    if (typeof header !== 'object' || header === null || Array.isArray(header))
      throw new AuthError('token_malformed', 'sealed token header is not a JSON object')
    const fields = header as Record<string, unknown>
    if (fields.alg !== 'dir' || fields.enc !== 'A256GCM')
      throw new AuthError('algorithm_not_allowed', 'sealed tokens must use "dir" and "A256GCM"')
    const key = (await sealingKeys()).find((candidate) => candidate.kid === fields.kid)
    if (!key) throw new AuthError('key_not_found', 'no session secret matches the sealed token "kid"')
    let plaintext: Uint8Array
    try {
      ;({ plaintext } = await compactDecrypt(token, key.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      }))
    } catch (error) {
      if (error instanceof joseErrors.JWEDecryptionFailed)
        throw new AuthError('signature_invalid', 'sealed token failed its integrity check')
      throw new AuthError('token_malformed', 'sealed token could not be opened')
    }
    const payload = parseJson(plaintext, 'payload')
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new AuthError('token_malformed', 'sealed token payload is not a JSON object')
    return { header: fields, payload: payload as JWTPayload }
  }

  return {
    algorithm: 'HS256',
    // Sealed sessions accept sealed tokens only: no signature key, so a JWS never passes as one.
    keySet: sealed ? lazyKeySet(async () => []) : keySet,
    jwks: undefined,
    unseal: sealed ? unseal : undefined,
    issue: sealed
      ? async (payload) => {
          const [current] = await sealingKeys()
          return new CompactEncrypt(utf8.encode(JSON.stringify(payload)))
            .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current!.kid, typ: SESSION_TOKEN_TYPE })
            .encrypt(current!.key)
        }
      : async (payload) => {
          const [current] = await keySet.keys()
          return new SignJWT(payload)
            .setProtectedHeader({ alg: 'HS256', kid: current!.kid!, typ: SESSION_TOKEN_TYPE })
            .sign((await current!.forAlgorithm('HS256')) as CryptoKey)
        },
  }
}
