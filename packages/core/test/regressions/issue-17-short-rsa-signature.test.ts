/**
 * Issue 17: once core checked signatures itself, WebCrypto on Node turned out to accept an RSA-PSS
 * signature one byte short (the same number without its leading zero byte), which jose passed on
 * too. RFC 8017 8.1.2 makes a signature exactly as long as the modulus: such a token is refused.
 */
import { generateKeyPairSync, sign } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, issuer } from '../support/fixtures.js'

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')

describe('issue 17: an RSA signature shorter than the modulus', () => {
  it('is refused for PS256, while the full-length signature passes', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'PS256', kid: 'k1' }
    const auth = createAuth({ issuer, audience, cache: false, jwks: { keys: [jwk] } })
    // One signature in 256 starts with a zero byte; 4,000 attempts miss one with odds below 1e-6.
    for (let attempt = 0; attempt < 4000; attempt++) {
      const input = `${b64(JSON.stringify({ alg: 'PS256', kid: 'k1' }))}.${b64(JSON.stringify(claims(Date.now(), { n: attempt })))}`
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, padding: 6, saltLength: 32 })
      if (signature[0] !== 0) continue
      await expect(auth.verify(`${input}.${b64(signature)}`)).resolves.toMatchObject({ subject: 'alice' })
      await expect(auth.verify(`${input}.${b64(signature.subarray(1))}`)).rejects.toMatchObject({
        code: 'signature_invalid',
        status: 401,
      })
      return
    }
    throw new Error('no signature with a leading zero byte in 4,000 attempts')
  })
})
