import { generateKeyPairSync } from 'node:crypto'
import { createAuth, createSessions, type PrivateKeyInput } from '@portcullis/core'
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'

async function roundTrip(signingKey: PrivateKeyInput) {
  const sessions = createSessions({ signingKey, issuer, audience })
  const issued = await sessions.issue({ subject: 'alice' })
  const { keys } = await sessions.jwks()
  expect(decodeProtectedHeader(issued.accessToken).kid).toBe(keys[0]!.kid)
  expect(keys[0]).not.toHaveProperty('d')
  expect((await createAuth({ sessions }).verify(issued.accessToken)).subject).toBe('alice')
  expect((await createAuth({ issuer, audience, jwks: { keys } }).verify(issued.accessToken)).subject).toBe(
    'alice',
  )
  return keys[0]!
}

describe('session signing keys in every form', () => {
  it.each([
    ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['Ed25519', () => generateKeyPairSync('ed25519')],
  ] as const)(
    'takes a %s KeyObject, its PKCS#8 PEM and its private JWK, with one kid',
    async (_name, make) => {
      const { privateKey, publicKey } = make()
      // The kid is the RFC 7638 thumbprint, as before WebCrypto: tokens issued before an upgrade still verify.
      const kid = await calculateJwkThumbprint(await exportJWK(publicKey))
      const pem = String(privateKey.export({ type: 'pkcs8', format: 'pem' }))
      for (const key of [privateKey, pem, await exportJWK(privateKey)])
        expect((await roundTrip(key)).kid).toBe(kid)
    },
  )

  it('takes an extractable CryptoKey, or a non-extractable one as a CryptoKeyPair', async () => {
    const extractable = await generateKeyPair('ES256', { extractable: true })
    expect((await roundTrip(extractable.privateKey)).alg).toBe('ES256')
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    expect((await roundTrip(pair)).alg).toBe('EdDSA')
  })

  it("refuses a pair whose public key is not the private key's, when it first signs", async () => {
    const a = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    const b = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    const sessions = createSessions({
      signingKey: { privateKey: a.privateKey, publicKey: b.publicKey },
      issuer,
      audience,
    })
    await expect(sessions.issue({ subject: 'alice' })).rejects.toThrow(
      new TypeError('"signingKey" publicKey is not the public half of its privateKey'),
    )
  })

  it('says what to do with a non-extractable private CryptoKey, at construction', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    expect(() => createSessions({ signingKey: privateKey, issuer, audience })).toThrow(
      new TypeError(
        '"signingKey" CryptoKey must be extractable, or give the pair: { privateKey, publicKey }',
      ),
    )
  })

  it('refuses public and unsupported keys in every form, at construction', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    const { publicKey } = await generateKeyPair('ES256', { extractable: true })
    const cases: [unknown, string][] = [
      [
        String(p384.privateKey.export({ type: 'pkcs8', format: 'pem' })),
        '"signingKey" must be an ES256 (P-256) or EdDSA (Ed25519) key',
      ],
      [await exportJWK(p384.privateKey), '"signingKey" must be an ES256 (P-256) or EdDSA (Ed25519) key'],
      [await exportJWK(p384.publicKey), '"signingKey" must be a private key, not a public key'],
      [publicKey, '"signingKey" must be a private key, not a public key'],
      [
        String(p384.publicKey.export({ type: 'spki', format: 'pem' })),
        '"signingKey" must be a private key: CryptoKey, KeyObject, private JWK or PKCS#8 PEM',
      ],
      [42, '"signingKey" must be a private key: CryptoKey, KeyObject, private JWK or PKCS#8 PEM'],
    ]
    for (const [signingKey, message] of cases)
      expect(() => createSessions({ signingKey: signingKey as never, issuer, audience })).toThrow(
        new TypeError(message),
      )
  })
})
