import { createAuth } from '@portcullis/core'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { keyFromSecret } from '../../src/keys/key.js'

// Issue 7: an HMAC secret was handed to jose as raw bytes, which jose imports into a CryptoKey on
// every verification. The secret is now imported once per algorithm and reused.
const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const current = 'c'.repeat(64)
const previous = 'p'.repeat(64)

const sign = (secret: string, alg: 'HS256' | 'HS384' | 'HS512') =>
  new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg })
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret))

describe('issue 7: HMAC secrets are imported once', () => {
  it('imports a secret once per algorithm and reuses the CryptoKey', async () => {
    const key = keyFromSecret(current, 'secret')
    const first = await key.forAlgorithm('HS256')
    expect(first).toBeInstanceOf(CryptoKey)
    expect(await key.forAlgorithm('HS256')).toBe(first)
    const other = await key.forAlgorithm('HS512')
    expect(other).not.toBe(first)
    expect((other as CryptoKey).algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-512' } })
  })

  it.each(['HS256', 'HS384', 'HS512'] as const)(
    'still verifies %s tokens from every rotated secret',
    async (alg) => {
      const auth = createAuth({ issuer, audience, secret: [current, previous], cache: false })
      for (const secret of [current, previous]) {
        const token = await sign(secret, alg)
        await expect(auth.verify(token)).resolves.toMatchObject({ subject: 'alice' })
        await expect(auth.verify(token)).resolves.toMatchObject({ subject: 'alice' })
      }
    },
  )

  it('still rejects a token signed with another secret', async () => {
    const auth = createAuth({ issuer, audience, secret: current, cache: false })
    const token = await sign('o'.repeat(64), 'HS256')
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'signature_invalid', status: 401 })
  })
})
