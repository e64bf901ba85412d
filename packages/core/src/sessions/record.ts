import type { CryptoKey } from 'jose'
import { AuthError } from '../errors.js'
import { decodeCanonical, encode } from '../internal/base64url.js'

/** What the store keeps per session, under `s:<sessionId>`. Refresh tokens are kept only as hashes. */
export interface SessionRecord {
  readonly v: 1
  /** The subject. */
  readonly sub: string
  /** When the session ends, in milliseconds; refreshing never extends it. */
  readonly exp: number
  /** What every access token of the session carries. */
  readonly scope: string | undefined
  readonly roles: readonly string[] | undefined
  readonly claims: Readonly<Record<string, unknown>> | undefined
  /** Hash of the current refresh secret. */
  readonly rt: string
  /** Hashes of earlier refresh secrets, newest first: presenting one again is reuse. */
  readonly old: readonly string[]
  /** When the refresh secret last rotated, in milliseconds. */
  readonly rotatedAt: number
  /** The TTL the record was written with, in milliseconds: beside the store's remaining TTL, how long ago it was committed. */
  readonly ttl?: number
  /** The current refresh secret, encrypted under a key only the previous refresh secret derives. */
  readonly next?: string
}

/** How many earlier refresh secrets are remembered for reuse detection. */
export const REMEMBERED_SECRETS = 8

const ID = /^[A-Za-z0-9_-]{22}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/

const random = (size: number) => encode(crypto.getRandomValues(new Uint8Array(size)))
const utf8 = new TextEncoder()

/** A random session id: 128 bits, base64url. */
export const newSessionId = (): string => random(16)
/** A random refresh secret: 256 bits, base64url. */
export const newSecret = (): string => random(32)
export const isSessionId = (value: unknown): value is string => typeof value === 'string' && ID.test(value)

/** SHA-256 of a refresh secret, base64url: what the store keeps instead of the secret. */
export async function hashSecret(secret: string): Promise<string> {
  return encode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(secret))))
}

/** A refresh token is `<sessionId>.<secret>`: opaque to the client, checked against the store. */
export const refreshTokenOf = (sessionId: string, secret: string): string => `${sessionId}.${secret}`

export function parseRefreshToken(token: string): { sessionId: string; secret: string } {
  const dot = typeof token === 'string' ? token.indexOf('.') : -1
  const sessionId = dot === -1 ? '' : token.slice(0, dot)
  const secret = dot === -1 ? '' : token.slice(dot + 1)
  if (!ID.test(sessionId) || !SECRET.test(secret))
    throw new AuthError('token_malformed', 'refresh token is not a session refresh token')
  return { sessionId, secret }
}

const GRACE_INFO = utf8.encode('portcullis refresh grace v1')

/** AES-256-GCM key for the grace window, derived (HKDF-SHA-256) from the previous refresh secret. */
async function graceKey(previous: string, usage: KeyUsage): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', utf8.encode(previous), 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: GRACE_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  )
}

/** Encrypts the new refresh secret so that only the holder of the previous one can read it. */
export async function sealNext(previous: string, next: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await graceKey(previous, 'encrypt')
  // WebCrypto appends the 16-byte tag: iv || ciphertext || tag, as before.
  const body = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, utf8.encode(next)))
  const sealed = new Uint8Array(iv.length + body.length)
  sealed.set(iv)
  sealed.set(body, iv.length)
  return encode(sealed)
}

/** Opens {@link sealNext}; undefined when `previous` is not the secret it was sealed for. */
export async function openNext(previous: string, sealed: string): Promise<string | undefined> {
  const bytes = decodeCanonical(sealed)
  if (!bytes || bytes.length < 12 + 16) return undefined
  try {
    const key = await graceKey(previous, 'decrypt')
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, 12) },
      key,
      bytes.subarray(12),
    )
    return new TextDecoder('utf-8', { fatal: true }).decode(plain)
  } catch {
    return undefined
  }
}

/** Parses a stored record; anything unreadable counts as no session (fail closed). */
export function parseRecord(raw: string): SessionRecord | undefined {
  try {
    const record = JSON.parse(raw) as SessionRecord
    if (record?.v !== 1 || typeof record.sub !== 'string' || typeof record.exp !== 'number') return undefined
    if (typeof record.rt !== 'string' || !Array.isArray(record.old)) return undefined
    return record
  } catch {
    return undefined
  }
}
