import { generateKeyPairSync } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { isRocaModulus, keyFromInput, keyFromJwk, keyFromSecret } from '../../src/keys/key.js'
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
