import { generateKeyPairSync } from 'node:crypto'
import { createAuth, createSessions, memoryStore } from '@portcullis/core'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

describe('sealed sessions', () => {
  it('encrypts access tokens (JWE dir + A256GCM) so the browser cannot read the claims', async () => {
    const sessions = createSessions({ secret, issuer, audience, sealed: true })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice', claims: { email: 'alice@example.com' } })
    const parts = issued.accessToken.split('.')
    expect(parts).toHaveLength(5)
    expect(decodeProtectedHeader(issued.accessToken)).toMatchObject({ alg: 'dir', enc: 'A256GCM' })
    for (const part of parts) expect(Buffer.from(part, 'base64url').toString('latin1')).not.toMatch(/alice/)
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({
      status: 'authenticated',
      identity: { subject: 'alice', claims: { email: 'alice@example.com' }, sessionId: issued.sessionId },
    })
    await sessions.revoke(issued.sessionId)
    await expect(auth.verify(issued.accessToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('rejects a tampered sealed token, and signed tokens where sealed ones are expected', async () => {
    const sealed = createSessions({ secret, issuer, audience, sealed: true })
    const signed = createSessions({ secret, issuer, audience })
    const auth = createAuth({ sessions: sealed })
    const { accessToken } = await sealed.issue({ subject: 'alice' })
    const parts = accessToken.split('.')
    parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith('AA') ? 'BA' : 'AA'}`
    await expect(auth.verify(parts.join('.'))).rejects.toMatchObject({
      code: 'signature_invalid',
      status: 401,
    })
    const jws = await signed.issue({ subject: 'alice' })
    await expect(auth.verify(jws.accessToken)).rejects.toMatchObject({ code: 'key_not_found', status: 401 })
    // And a verifier without sealed sessions does not take a JWE at all.
    await expect(createAuth({ sessions: signed }).verify(accessToken)).rejects.toMatchObject({
      code: 'token_malformed',
    })
  })

  it('opens tokens sealed with the previous secret during a rotation', async () => {
    const store = memoryStore()
    const previous = createSessions({ secret: 'p'.repeat(32), issuer, audience, sealed: true, store })
    const { accessToken } = await previous.issue({ subject: 'alice' })
    const rotated = createSessions({
      secret: ['c'.repeat(32), 'p'.repeat(32)],
      issuer,
      audience,
      sealed: true,
      store,
    })
    expect(await createAuth({ sessions: rotated }).verify(accessToken)).toMatchObject({ subject: 'alice' })
    const dropped = createSessions({ secret: 'c'.repeat(32), issuer, audience, sealed: true, store })
    await expect(createAuth({ sessions: dropped }).verify(accessToken)).rejects.toMatchObject({
      code: 'key_not_found',
      status: 401,
    })
  })

  it('needs a secret', () => {
    const { privateKey } = generateKeyPairSync('ed25519')
    expect(() => createSessions({ signingKey: privateKey, issuer, audience, sealed: true as never })).toThrow(
      new TypeError('"sealed" needs "secret": sealed sessions are encrypted with a shared secret'),
    )
  })
})

describe('asymmetric signing keys', () => {
  it.each([
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['EdDSA', () => generateKeyPairSync('ed25519').privateKey],
  ] as const)('signs with %s and publishes the public key for other services', async (alg, makeKey) => {
    const sessions = createSessions({ signingKey: makeKey(), issuer, audience })
    const issued = await sessions.issue({ subject: 'alice' })
    expect(decodeProtectedHeader(issued.accessToken)).toMatchObject({ alg, typ: 'session+jwt' })
    expect(decodeJwt(issued.accessToken)).toMatchObject({ sub: 'alice', sid: issued.sessionId })
    const jwks = await sessions.jwks()
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({
      alg,
      use: 'sig',
      kid: decodeProtectedHeader(issued.accessToken).kid,
    })
    expect(jwks.keys[0]).not.toHaveProperty('d')
    expect(await createAuth({ sessions }).verify(issued.accessToken)).toMatchObject({ subject: 'alice' })
    // Another service verifies with the published JWKS alone (no revocation check there).
    const elsewhere = createAuth({ issuer, audience, jwks })
    expect(await elsewhere.verify(issued.accessToken)).toMatchObject({ subject: 'alice' })
  })

  it('accepts tokens of a previous key while signing with the first', async () => {
    const oldKey = generateKeyPairSync('ed25519').privateKey
    const newKey = generateKeyPairSync('ed25519').privateKey
    const store = memoryStore()
    const before = createSessions({ signingKey: oldKey, issuer, audience, store })
    const { accessToken } = await before.issue({ subject: 'alice' })
    const during = createSessions({ signingKey: [newKey, oldKey], issuer, audience, store })
    expect((await during.jwks()).keys).toHaveLength(2)
    expect(await createAuth({ sessions: during }).verify(accessToken)).toMatchObject({ subject: 'alice' })
    const after = createSessions({ signingKey: newKey, issuer, audience, store })
    await expect(createAuth({ sessions: after }).verify(accessToken)).rejects.toMatchObject({
      code: 'key_not_found',
    })
  })

  it('refuses other key types and public keys', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    expect(() => createSessions({ signingKey: p384.privateKey, issuer, audience })).toThrow(
      new TypeError('"signingKey" must be an ES256 (P-256) or EdDSA (Ed25519) key'),
    )
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(() => createSessions({ signingKey: ec.publicKey, issuer, audience })).toThrow(
      new TypeError('"signingKey" must be a private key, not a public key'),
    )
    expect(() => createSessions({ signingKey: 'not a pem', issuer, audience })).toThrow(
      new TypeError('"signingKey" must be a private key: CryptoKey, KeyObject, private JWK or PKCS#8 PEM'),
    )
  })

  it('has no JWKS for shared secrets', () => {
    expect(() => createSessions({ secret, issuer, audience }).jwks()).toThrow(TypeError)
  })
})
