import { generateKeyPairSync } from 'node:crypto'
import { type AuthEvent, createAuth } from '@portcullis/core'
import { exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { audience, issuer, serveJson, sign, signingKey } from '../support/fixtures.js'

describe('weak HMAC secrets', () => {
  it.each([
    ['an empty string', '', /"secret" must be at least 32 bytes/],
    ['31 bytes', 'x'.repeat(31), /"secret" must be at least 32 bytes/],
    ['31 bytes of a Uint8Array', new Uint8Array(31), /"secret" must be at least 32 bytes/],
    ['a short previous secret', ['x'.repeat(32), 'short'], /"secret\[1\]" must be at least 32 bytes/],
    [
      'a short oct JWK',
      { kty: 'oct', k: Buffer.alloc(16).toString('base64url') },
      /"secret" must be at least 32 bytes/,
    ],
    [
      'an oct JWK for encryption',
      { kty: 'oct', k: Buffer.alloc(32).toString('base64url'), use: 'enc' },
      /"secret"/,
    ],
    [
      'an oct JWK for AES',
      { kty: 'oct', k: Buffer.alloc(32).toString('base64url'), alg: 'A256GCM' },
      /"secret"/,
    ],
    ['a number', 12345, /"secret" must be a string, a Uint8Array or an "oct" JWK/],
  ])('refuses %s at construction with a TypeError naming the option', (_name, secret, message) => {
    // @ts-expect-error JavaScript callers can pass anything
    expect(() => createAuth({ issuer, audience, secret })).toThrow(TypeError)
    // @ts-expect-error JavaScript callers can pass anything
    expect(() => createAuth({ issuer, audience, secret })).toThrow(message)
  })

  it('never echoes the secret in the error', () => {
    const secret = 'tiny-secret-value'
    try {
      createAuth({ issuer, audience, secret })
      expect.unreachable()
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret)
    }
  })

  it('limits a 32-byte secret to HS256 (RFC 7518 3.2: a key at least as long as the hash)', async () => {
    const secret = 's'.repeat(32)
    expect(() => createAuth({ issuer, audience, secret, algorithms: ['HS512'] })).toThrow(
      /lists HS512, which the configured keys cannot verify/,
    )
  })
})

describe('weak RSA keys', () => {
  const rsa = (modulusLength: number, publicExponent = 65537) =>
    generateKeyPairSync('rsa', { modulusLength, publicExponent }).publicKey

  it('refuses a local RSA key under 2048 bits, in every form', async () => {
    const weak = rsa(1024)
    const pem = weak.export({ type: 'spki', format: 'pem' }) as string
    const jwk = await exportJWK(weak)
    for (const key of [weak, pem, jwk])
      expect(() => createAuth({ issuer, audience, keys: [key] })).toThrow(
        /"keys\[0\]" is not usable: RSA keys must be at least 2048 bits/,
      )
  })

  it('refuses a local RSA key with public exponent 3', async () => {
    const weak = rsa(2048, 3)
    expect(() => createAuth({ issuer, audience, keys: [weak] })).toThrow(/RSA public exponent must be/)
    const jwk = await exportJWK(weak)
    expect(() => createAuth({ issuer, audience, jwks: { keys: [jwk] } })).toThrow(
      /"jwks.keys\[0\]" is not usable: RSA public exponent/,
    )
  })

  it('skips weak keys in a remote JWKS and keeps the strong ones', async () => {
    const strong = await signingKey('RS256', 'strong')
    const weak = { ...(await exportJWK(rsa(1024))), kid: 'weak', alg: 'RS256' }
    const events: AuthEvent[] = []
    const idp = await serveJson(() => ({ keys: [weak, strong.publicJwk] }))
    const auth = createAuth({
      issuer,
      audience,
      jwks: `${idp.url}/jwks`,
      onEvent: (event) => events.push(event),
    })
    expect((await auth.verify(await sign(strong))).keyId).toBe('strong')
    expect(events).toContainEqual(expect.objectContaining({ type: 'jwks_fetched', keys: 1, skipped: 1 }))
  })

  it('refuses a JWK that carries its private key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = await exportJWK(privateKey)
    expect(() => createAuth({ issuer, audience, jwks: { keys: [jwk] } })).toThrow(/private key material/)
  })
})
