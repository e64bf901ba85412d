import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import { AuthError } from '../errors.js'

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

/** A random session id: 128 bits, base64url. */
export const newSessionId = (): string => randomBytes(16).toString('base64url')
/** A random refresh secret: 256 bits, base64url. */
export const newSecret = (): string => randomBytes(32).toString('base64url')
export const isSessionId = (value: unknown): value is string => typeof value === 'string' && ID.test(value)

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64url')

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

const graceKey = (previous: string) =>
  Buffer.from(hkdfSync('sha256', previous, new Uint8Array(0), 'portcullis refresh grace v1', 32))

/** Encrypts the new refresh secret so that only the holder of the previous one can read it. */
export function sealNext(previous: string, next: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', graceKey(previous), iv)
  const body = Buffer.concat([cipher.update(next, 'utf8'), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
}

/** Opens {@link sealNext}; undefined when `previous` is not the secret it was sealed for. */
export function openNext(previous: string, sealed: string): string | undefined {
  try {
    const bytes = Buffer.from(sealed, 'base64url')
    const decipher = createDecipheriv('aes-256-gcm', graceKey(previous), bytes.subarray(0, 12))
    decipher.setAuthTag(bytes.subarray(bytes.length - 16))
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString(
      'utf8',
    )
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
