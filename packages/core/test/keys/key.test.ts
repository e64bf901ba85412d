import { generateKeyPairSync } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseJws } from '../../src/internal/compact.js'
import { isRocaModulus, keyFromInput, keyFromJwk, keyFromSecret } from '../../src/keys/key.js'
import { verifySignature } from '../../src/keys/signature.js'
import { audience, claims, forge, issuer } from '../support/fixtures.js'

describe('keys', () => {
  it('derives the algorithms a key can verify from its type', async () => {
    const rsa = await exportJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
    const ec = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)
    const ed = await exportJWK(generateKeyPairSync('ed25519').publicKey)
    expect(keyFromJwk(rsa).algorithms).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
    expect(keyFromJwk({ ...rsa, alg: 'PS256' }).algorithms).toEqual(['PS256'])
    expect(keyFromJwk(ec).algorithms).toEqual(['ES384'])
    expect(keyFromJwk(ed).algorithms).toEqual(['EdDSA', 'Ed25519'])
    expect(() => keyFromJwk({ ...ec, alg: 'ES256' })).toThrow(/does not fit its key type/)
  })

  it('binds a WebCrypto key to the one algorithm it was imported for', async () => {
    const { publicKey } = await generateKeyPair('PS384')
    expect(keyFromInput(publicKey, 0).algorithms).toEqual(['PS384'])
  })

  it('refuses keys that are not for verifying signatures', async () => {
    const ec = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)
    expect(() => keyFromJwk({ ...ec, use: 'enc' })).toThrow(/key use "enc" is not "sig"/)
    expect(() => keyFromJwk({ ...ec, key_ops: ['encrypt'] })).toThrow(/key_ops/)
    expect(() => keyFromJwk({ kty: 'oct', k: 'AAAA' })).toThrow(/symmetric keys belong in "secret"/)
    expect(() => keyFromInput('not a pem', 3)).toThrow(/"keys\[3\]" is not usable/)
  })

  it('finds no ROCA fingerprint in freshly generated RSA keys', async () => {
    for (let i = 0; i < 3; i++) {
      const { n } = await exportJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
      expect(isRocaModulus(BigInt(`0x${Buffer.from(n!, 'base64url').toString('hex')}`))).toBe(false)
    }
  })
})

describe('secrets', () => {
  it('accepts an oct JWK, keeping its kid and alg', async () => {
    const k = Buffer.alloc(64, 7).toString('base64url')
    const key = keyFromSecret({ kty: 'oct', k, kid: 'v2', alg: 'HS512' }, 'secret')
    expect(key).toMatchObject({ kid: 'v2', algorithms: ['HS512'] })
    const auth = createAuth({ issuer, audience, secret: [{ kty: 'oct', k, kid: 'v2', alg: 'HS512' }] })
    const token = forge({ alg: 'HS512', kid: 'v2' }, claims(), { hmacKey: Buffer.alloc(64, 7) })
    expect((await auth.verify(token)).keyId).toBe('v2')
  })

  it('rotates: a token signed with any listed secret verifies', async () => {
    const current = 'c'.repeat(32)
    const previous = 'p'.repeat(32)
    const auth = createAuth({ issuer, audience, secret: [current, previous] })
    for (const hmacKey of [current, previous])
      expect((await auth.verify(forge({ alg: 'HS256' }, claims(), { hmacKey }))).subject).toBe('alice')
    await expect(
      auth.verify(forge({ alg: 'HS256' }, claims(), { hmacKey: 'x'.repeat(32) })),
    ).rejects.toMatchObject({
      code: 'signature_invalid',
    })
  })
})

describe('key shape checks without node:crypto', () => {
  it('refuses an EC key that is not a point on its curve, at construction', async () => {
    const jwk = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)
    const y = Buffer.from(jwk.y!, 'base64url')
    y[31]! ^= 1
    expect(() => keyFromJwk({ ...jwk, y: y.toString('base64url') })).toThrow(
      'EC key is not a point on its curve',
    )
    expect(() =>
      keyFromJwk({ ...jwk, x: Buffer.from(jwk.x!, 'base64url').subarray(1).toString('base64url') }),
    ).toThrow('EC key is not a point on its curve')
    expect(() => keyFromJwk({ ...jwk, x: 'not base64url!' })).toThrow(
      'key of type "EC" could not be imported',
    )
  })

  it.each(['P-256', 'P-384', 'P-521'] as const)('accepts every fresh %s key', async (namedCurve) => {
    for (let i = 0; i < 5; i++) {
      const jwk = await exportJWK(generateKeyPairSync('ec', { namedCurve }).publicKey)
      expect(keyFromJwk(jwk).algorithms).toHaveLength(1)
    }
  })

  it('counts RSA modulus bits without a leading zero byte', async () => {
    const jwk = await exportJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
    const padded = Buffer.concat([Buffer.alloc(1), Buffer.from(jwk.n!, 'base64url')]).toString('base64url')
    expect(keyFromJwk({ ...jwk, n: padded }).algorithms).toContain('RS256')
  })

  it('answers signature_invalid, not a crash, for a key WebCrypto cannot import', async () => {
    const token = forge({ alg: 'ES256' }, claims())
    const broken = {
      kid: undefined,
      algorithms: ['ES256'] as const,
      forAlgorithm: () => Promise.reject(new Error('bad point')),
    }
    const keySet = {
      candidates: () => [broken],
      invalidate() {},
      status: () => ({}) as never,
      ready: async () => {},
    }
    await expect(
      verifySignature(parseJws(token, 8192), { keySet, algorithms: ['ES256'] }),
    ).rejects.toMatchObject({ code: 'signature_invalid', status: 401 })
  })
})
