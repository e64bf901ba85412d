/**
 * The signature check core now runs itself (WebCrypto over the parsed parts, issue 17) instead of
 * handing the token to `jose.compactVerify`: what jose decided before, and what WebCrypto alone
 * would let through, decided here.
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { CompactSign, type CryptoKey, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseJws } from '../../src/internal/compact.js'
import type { Algorithm, VerificationKey } from '../../src/keys/key.js'
import { verifySignature } from '../../src/keys/signature.js'
import { audience, claims, issuer } from '../support/fixtures.js'

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')
const encoder = new TextEncoder()

/** A token with `header`, JWT claims, and the signature `signer` makes over its signing input. */
async function token(
  header: Record<string, unknown>,
  signer: (input: Uint8Array) => Promise<Uint8Array> | Uint8Array,
): Promise<string> {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims()))}`
  return `${input}.${b64(await signer(encoder.encode(input)))}`
}

/** Checks `jws` as a key set holding one key that hands out `material` for every algorithm. */
function check(jws: string, material: CryptoKey | Uint8Array, alg: Algorithm) {
  const key: VerificationKey = { kid: undefined, algorithms: [alg], forAlgorithm: async () => material }
  const keySet = {
    candidates: () => [key],
    invalidate() {},
    status: () => ({}) as never,
    ready: async () => {},
  }
  return verifySignature(parseJws(jws, 8192), { keySet, algorithms: [alg] })
}

const rejected = { code: 'signature_invalid', status: 401 }
const subtleSign = (algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams, key: CryptoKey) => {
  return async (input: Uint8Array) =>
    new Uint8Array(await crypto.subtle.sign(algorithm, key as globalThis.CryptoKey, input as BufferSource))
}

describe('verifySignature', () => {
  it.each([
    'HS256',
    'HS384',
    'HS512',
    'RS256',
    'PS256',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
  ] as const)('accepts a %s signature from the key configured for it', async (alg) => {
    const pair = alg.startsWith('HS')
      ? undefined
      : await generateKeyPair(alg, { extractable: true, modulusLength: 2048 })
    const secret = encoder.encode('a-test-secret-that-is-at-least-64-bytes-long-for-every-hmac-hash!!')
    const signed = await new CompactSign(encoder.encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg, kid: 'k1' })
      .sign(pair?.privateKey ?? secret)
    const auth = createAuth(
      pair
        ? {
            issuer,
            audience,
            cache: false,
            jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), alg, kid: 'k1' }] },
          }
        : { issuer, audience, cache: false, secret: { kty: 'oct', k: b64(secret), alg, kid: 'k1' } },
    )
    await expect(auth.verify(signed)).resolves.toMatchObject({ subject: 'alice', keyId: 'k1' })
    // One byte of the signature changed: the same key no longer verifies it.
    const [head, body, signature] = signed.split('.') as [string, string, string]
    const bytes = Buffer.from(signature, 'base64url')
    bytes[5]! ^= 1
    await expect(auth.verify(`${head}.${body}.${b64(bytes)}`)).rejects.toMatchObject(rejected)
  })

  describe('the signature length', () => {
    it('refuses an RSA-PSS signature one byte short (its leading zero dropped), which WebCrypto accepts', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      const verifier = await crypto.subtle.importKey(
        'jwk',
        publicKey.export({ format: 'jwk' }),
        { name: 'RSA-PSS', hash: 'SHA-256' },
        false,
        ['verify'],
      )
      // RFC 8017 8.1.2: the signature is exactly k bytes. One signature in 256 starts with a zero byte.
      let jws: string | undefined
      for (let attempt = 0; attempt < 4000 && jws === undefined; attempt++) {
        const full = await token({ alg: 'PS256', n: attempt }, (input) =>
          nodeSign('sha256', input, { key: privateKey, padding: 6, saltLength: 32 }),
        )
        const signature = Buffer.from(full.split('.')[2]!, 'base64url')
        if (signature[0] !== 0) continue
        await expect(check(full, verifier, 'PS256')).resolves.toBeDefined()
        expect(
          await crypto.subtle.verify(
            { name: 'RSA-PSS', saltLength: 32 },
            verifier,
            signature.subarray(1),
            encoder.encode(full.slice(0, full.lastIndexOf('.'))),
          ),
        ).toBe(true)
        jws = `${full.slice(0, full.lastIndexOf('.'))}.${b64(signature.subarray(1))}`
      }
      await expect(check(jws!, verifier, 'PS256')).rejects.toMatchObject(rejected)
    })

    it('refuses ECDSA, Ed25519 and HMAC signatures of any other length than their algorithm gives', async () => {
      const ec = await generateKeyPair('ES256')
      const ed = await generateKeyPair('EdDSA')
      const hmac = await crypto.subtle.importKey(
        'raw',
        new Uint8Array(32).fill(7),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign', 'verify'],
      )
      const cases = [
        { alg: 'ES256', key: ec, sign: subtleSign({ name: 'ECDSA', hash: 'SHA-256' }, ec.privateKey) },
        { alg: 'EdDSA', key: ed, sign: subtleSign({ name: 'Ed25519' }, ed.privateKey) },
        { alg: 'HS256', key: { publicKey: hmac }, sign: subtleSign({ name: 'HMAC' }, hmac) },
      ] as const
      for (const { alg, key, sign } of cases) {
        const good = await token({ alg }, sign)
        await expect(check(good, key.publicKey, alg)).resolves.toBeDefined()
        const [head, body, signature] = good.split('.') as [string, string, string]
        const bytes = Buffer.from(signature, 'base64url')
        for (const wrong of [
          Buffer.concat([bytes, Buffer.of(0)]),
          Buffer.concat([Buffer.of(0), bytes]),
          bytes.subarray(0, 16),
        ])
          await expect(check(`${head}.${body}.${b64(wrong)}`, key.publicKey, alg)).rejects.toMatchObject(
            rejected,
          )
      }
    })
  })

  describe("a key must be for the token's algorithm (RFC 8725 3.1)", () => {
    it('refuses an HS256 token made with an HMAC key of another hash (its signature is HS384)', async () => {
      const sha384 = await crypto.subtle.importKey(
        'raw',
        new Uint8Array(48).fill(9),
        { name: 'HMAC', hash: 'SHA-384' },
        false,
        ['sign', 'verify'],
      )
      const jws = await token({ alg: 'HS256' }, subtleSign({ name: 'HMAC' }, sha384))
      await expect(check(jws, sha384, 'HS256')).rejects.toMatchObject(rejected)
      await expect(
        check(jws.replace(/^[^.]+/, b64('{"alg":"HS384"}')), sha384, 'HS384'),
      ).rejects.toMatchObject(rejected)
    })

    it('refuses an RS256 token signed with SHA-512 by a key imported for RS512', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS512', { modulusLength: 2048 })
      const jws = await token({ alg: 'RS256' }, subtleSign({ name: 'RSASSA-PKCS1-v1_5' }, privateKey))
      await expect(check(jws, publicKey, 'RS256')).rejects.toMatchObject(rejected)
    })

    it('refuses an ES256 token checked with a P-384 key, even with a SHA-256 signature of it', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES384')
      const jws = await token({ alg: 'ES256' }, subtleSign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey))
      await expect(check(jws, publicKey, 'ES256')).rejects.toMatchObject(rejected)
    })

    it('refuses an RSA key for ES256 and an RSA-PSS key for RS256', async () => {
      const rsa = await generateKeyPair('RS256', { modulusLength: 2048 })
      const ec = await token({ alg: 'ES256' }, () => new Uint8Array(64))
      await expect(check(ec, rsa.publicKey, 'ES256')).rejects.toMatchObject(rejected)
      const pss = await generateKeyPair('PS256', { modulusLength: 2048 })
      const jws = await token(
        { alg: 'RS256' },
        subtleSign({ name: 'RSA-PSS', saltLength: 32 }, pss.privateKey),
      )
      await expect(check(jws, pss.publicKey, 'RS256')).rejects.toMatchObject(rejected)
    })

    it('refuses a PS256 signature whose salt is not 32 bytes (RFC 7518 3.5)', async () => {
      const { privateKey, publicKey } = await generateKeyPair('PS256', { modulusLength: 2048 })
      for (const saltLength of [0, 20, 64]) {
        const jws = await token({ alg: 'PS256' }, subtleSign({ name: 'RSA-PSS', saltLength }, privateKey))
        await expect(check(jws, publicKey, 'PS256')).rejects.toMatchObject(rejected)
      }
      const good = await token({ alg: 'PS256' }, subtleSign({ name: 'RSA-PSS', saltLength: 32 }, privateKey))
      await expect(check(good, publicKey, 'PS256')).resolves.toBeDefined()
    })

    it('refuses an RSA key under 2048 bits, even with a valid signature (RFC 7518 3.3)', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
      const verifier = await crypto.subtle.importKey(
        'jwk',
        publicKey.export({ format: 'jwk' }),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['verify'],
      )
      const jws = await token({ alg: 'RS256' }, (input) => nodeSign('sha256', input, privateKey))
      await expect(check(jws, verifier, 'RS256')).rejects.toMatchObject(rejected)
    })

    it('refuses a CryptoKey whose usages do not include "verify", and raw bytes for a key', async () => {
      const bytes = new Uint8Array(32).fill(3)
      const signOnly = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ])
      const jws = await token({ alg: 'HS256' }, subtleSign({ name: 'HMAC' }, signOnly))
      await expect(check(jws, signOnly, 'HS256')).rejects.toMatchObject(rejected)
      await expect(check(jws, bytes, 'HS256')).rejects.toMatchObject(rejected)
    })

    it('refuses a JWK whose "alg", "use" or "key_ops" disagrees with the token', async () => {
      const { privateKey, publicKey } = await generateKeyPair('PS256', { modulusLength: 2048 })
      const other = await generateKeyPair('PS256', { modulusLength: 2048 })
      const jwk = await exportJWK(publicKey)
      const jws = await token(
        { alg: 'PS256', kid: 'a' },
        subtleSign({ name: 'RSA-PSS', saltLength: 32 }, privateKey),
      )
      // The signer's own key, labelled RS256, is never tried for PS256, not even when PS256 is allowed.
      const keys = [
        { ...jwk, alg: 'RS256', kid: 'a' },
        { ...(await exportJWK(other.publicKey)), alg: 'PS256', kid: 'b' },
      ]
      const auth = createAuth({ issuer, audience, jwks: { keys } })
      await expect(auth.verify(jws)).rejects.toMatchObject({ code: 'key_not_found', status: 401 })
      const unlabelled = createAuth({ issuer, audience, jwks: { keys: [{ ...jwk, kid: 'a' }] } })
      await expect(unlabelled.verify(jws)).resolves.toMatchObject({ subject: 'alice' })
      expect(() => createAuth({ issuer, audience, jwks: { keys: [{ ...jwk, use: 'enc' }] } })).toThrow(
        /not "sig"/,
      )
      expect(() => createAuth({ issuer, audience, jwks: { keys: [{ ...jwk, key_ops: ['sign'] }] } })).toThrow(
        /key_ops/,
      )
    })
  })

  describe('ECDSA values', () => {
    // The order of P-256 (SEC 2 2.4.2).
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
    const toBytes = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex')
    const toBig = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`)

    it('accepts a high-S signature, as jose did: RFC 7518 3.4 does not require a low S', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256')
      const sign = subtleSign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey)
      const jws = await token({ alg: 'ES256' }, async (input) => {
        const signature = await sign(input)
        const flipped = n - toBig(signature.subarray(32))
        return Buffer.concat([signature.subarray(0, 32), toBytes(flipped)])
      })
      await expect(check(jws, publicKey, 'ES256')).resolves.toBeDefined()
    })

    it('refuses r or s of zero, and r or s not below the group order', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256')
      const sign = subtleSign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey)
      const good = await token({ alg: 'ES256' }, sign)
      const [head, body, signature] = good.split('.') as [string, string, string]
      const bytes = Buffer.from(signature, 'base64url')
      const r = toBig(bytes.subarray(0, 32))
      const s = toBig(bytes.subarray(32))
      for (const [badR, badS] of [
        [0n, s],
        [r, 0n],
        [r + n, s],
        [r, s + n],
        [n, s],
      ] as const) {
        if (badR >= 1n << 256n || badS >= 1n << 256n) continue
        const forged = Buffer.concat([toBytes(badR), toBytes(badS)])
        await expect(check(`${head}.${body}.${b64(forged)}`, publicKey, 'ES256')).rejects.toMatchObject(
          rejected,
        )
      }
    })
  })
})
