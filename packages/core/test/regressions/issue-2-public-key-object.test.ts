import { generateKeyPairSync } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { SignJWT } from 'jose'
import { expect, it } from 'vitest'
import { audience, issuer } from '../support/fixtures.js'

// keys: [publicKeyObject] threw "could not be parsed": Node's createPublicKey() refuses a public KeyObject.
it('accepts a public KeyObject and a private one (using its public half) in "keys"', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const token = await new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime('1m')
    .sign(privateKey)
  for (const key of [publicKey, privateKey])
    expect((await createAuth({ issuer, audience, keys: [key] }).verify(token)).subject).toBe('alice')
})
