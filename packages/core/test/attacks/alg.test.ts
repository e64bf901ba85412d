import { createAuth } from '@portcullis/core'
import { exportSPKI } from 'jose'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret, signingKey } from '../support/fixtures.js'

describe('alg "none"', () => {
  const auth = createAuth({ issuer, audience, secret })

  it.each(['none', 'None', 'NONE', 'nOnE'])('rejects alg %s with or without a signature', async (alg) => {
    for (const signature of ['', 'AAAA', forge({ alg: 'HS256' }, claims()).split('.')[2]!]) {
      await expect(auth.verify(forge({ alg }, claims(), { signature }))).rejects.toMatchObject({
        code: 'algorithm_not_allowed',
        status: 401,
      })
    }
  })

  it('cannot be configured', () => {
    // @ts-expect-error 'none' is not an Algorithm
    expect(() => createAuth({ issuer, audience, secret, algorithms: ['none'] })).toThrow(
      /"options.algorithms" contains unsupported algorithm "none"/,
    )
  })
})

describe('HS/RS and HS/EC key confusion', () => {
  it.each(['RS256', 'ES256'])(
    'rejects HS256 signed with the %s public key as the HMAC secret',
    async (alg) => {
      const key = await signingKey(alg)
      const { importJWK } = await import('jose')
      const pem = await exportSPKI((await importJWK(key.publicJwk, alg)) as CryptoKey)
      const byKeys = createAuth({ issuer, audience, keys: [pem] })
      const byJwks = createAuth({ issuer, audience, jwks: { keys: [key.publicJwk] } })
      for (const material of [pem, JSON.stringify(key.publicJwk), key.publicJwk.n ?? key.publicJwk.x!]) {
        for (const kid of [undefined, key.kid]) {
          const token = forge({ alg: 'HS256', kid }, claims(), { hmacKey: material })
          await expect(byKeys.verify(token)).rejects.toMatchObject({
            code: 'algorithm_not_allowed',
            status: 401,
          })
          await expect(byJwks.verify(token)).rejects.toMatchObject({
            code: 'algorithm_not_allowed',
            status: 401,
          })
        }
      }
    },
  )

  it('refuses to allow HMAC for public keys at construction', async () => {
    const key = await signingKey('RS256')
    expect(() => createAuth({ issuer, audience, keys: [key.publicJwk], algorithms: ['HS256'] })).toThrow(
      /"options.algorithms" lists HS256, which the configured keys cannot verify/,
    )
  })
})

describe('algorithm allow-list', () => {
  it('rejects an algorithm the issuer does not allow, even when a key could verify it', async () => {
    const long = 'k'.repeat(64)
    const auth = createAuth({ issuer, audience, secret: long, algorithms: ['HS512'] })
    expect((await auth.verify(forge({ alg: 'HS512' }, claims(), { hmacKey: long }))).subject).toBe('alice')
    await expect(auth.verify(forge({ alg: 'HS256' }, claims(), { hmacKey: long }))).rejects.toMatchObject({
      code: 'algorithm_not_allowed',
      status: 401,
    })
  })

  it.each(['ES256K', 'RS1', 'HS1', 'A256GCM', 'dir', '<script>', 'x'.repeat(2000)])(
    'rejects unknown algorithm #%# without echoing it',
    async (alg) => {
      const auth = createAuth({ issuer, audience, secret })
      const error = await auth.verify(forge({ alg }, claims())).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'algorithm_not_allowed', status: 401 })
      expect((error as Error).message).not.toContain(alg)
    },
  )
})

describe('ECDSA zero and out-of-range signatures (psychic signatures, CVE-2022-21449)', () => {
  it.each([
    ['r = s = 0', Buffer.alloc(64)],
    [
      'r = s = n',
      Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'.repeat(2), 'hex'),
    ],
    ['DER-encoded zeros', Buffer.from('3006020100020100', 'hex')],
    ['one byte', Buffer.alloc(1)],
  ])('rejects an ES256 token whose signature is %s', async (_name, signature) => {
    const key = await signingKey('ES256')
    const auth = createAuth({ issuer, audience, jwks: { keys: [key.publicJwk] } })
    const token = forge({ alg: 'ES256', kid: key.kid }, claims(), {
      signature: signature.toString('base64url'),
    })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'signature_invalid', status: 401 })
  })
})
