import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { createAuth, createSessions, memoryStore } from '@portcullis/core'
import { CompactEncrypt, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { hashSecret, newSecret, openNext } from '../../src/sessions/record.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'
const now = () => Math.floor(Date.now() / 1000)
const claims = (sid: string) => ({
  iss: issuer,
  aud: audience,
  sub: 'alice',
  sid,
  iat: now(),
  exp: now() + 60,
})

// What the node:crypto implementation (0.1.0) produced, computed here with node:crypto: tokens and
// records written before the move to WebCrypto must still open after it.
const oldKid = (label: string) =>
  `${label}-${createHmac('sha256', secret).update(`portcullis ${label} kid`).digest('base64url').slice(0, 12)}`

describe('session formats across the move to WebCrypto', () => {
  it('opens a sealed token from the node:crypto implementation (same HKDF key, same kid)', async () => {
    const store = memoryStore()
    const sessions = createSessions({ secret, issuer, audience, sealed: true, store })
    const { sessionId } = await sessions.issue({ subject: 'alice' })
    const key = new Uint8Array(
      hkdfSync('sha256', secret, new Uint8Array(0), 'portcullis sealed session v1', 32),
    )
    const token = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims(sessionId))))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: oldKid('enc'), typ: 'session+jwt' })
      .encrypt(key)
    expect((await createAuth({ sessions }).verify(token)).sessionId).toBe(sessionId)
  })

  it('verifies a signed token from the node:crypto implementation (same kid)', async () => {
    const sessions = createSessions({ secret, issuer, audience })
    const { sessionId, accessToken } = await sessions.issue({ subject: 'alice' })
    const token = await new SignJWT(claims(sessionId))
      .setProtectedHeader({ alg: 'HS256', kid: oldKid('hs'), typ: 'session+jwt' })
      .sign(new TextEncoder().encode(secret))
    expect(JSON.parse(Buffer.from(accessToken.split('.')[0]!, 'base64url').toString()).kid).toBe(oldKid('hs'))
    expect((await createAuth({ sessions }).verify(token)).sessionId).toBe(sessionId)
  })

  it('hashes refresh secrets and opens grace-window records as node:crypto did', async () => {
    const previous = newSecret()
    const next = newSecret()
    expect(await hashSecret(previous)).toBe(createHash('sha256').update(previous).digest('base64url'))
    const key = Buffer.from(
      hkdfSync('sha256', previous, new Uint8Array(0), 'portcullis refresh grace v1', 32),
    )
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    const body = Buffer.concat([cipher.update(next, 'utf8'), cipher.final()])
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
    expect(await openNext(previous, sealed)).toBe(next)
    expect(await openNext(newSecret(), sealed)).toBeUndefined()
    expect(
      await openNext(previous, `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BA' : 'AA'}`),
    ).toBeUndefined()
  })

  it('refuses the same secret twice, at construction', () => {
    expect(() => createSessions({ secret: [secret, secret], issuer, audience })).toThrow(
      new TypeError('"secret" has more than one key with the same "kid"'),
    )
  })
})
