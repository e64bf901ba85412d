import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, secret, serveJson, sign, signingKey } from './support/fixtures.js'

const tenantA = 'https://a.id.example.com/'
const tenantB = 'https://b.id.example.com/'

describe('several issuers', () => {
  it('chooses the configuration by the token "iss"', async () => {
    const keyA = await signingKey('ES256', 'a')
    const keyB = await signingKey('RS256', 'b')
    const idpB = await serveJson(() => ({ keys: [keyB.publicJwk] }))
    const auth = createAuth({
      issuers: [
        { issuer: tenantA, audience, jwks: { keys: [keyA.publicJwk] } },
        { issuer: tenantB, audience: 'https://b-api.example.com', jwks: `${idpB.url}/jwks` },
      ],
    })
    expect((await auth.verify(await sign(keyA, { iss: tenantA }))).issuer).toBe(tenantA)
    const b = await auth.verify(await sign(keyB, { iss: tenantB, aud: 'https://b-api.example.com' }))
    expect(b).toMatchObject({ issuer: tenantB, keyId: 'b' })
    // Each issuer keeps its own audience.
    await expect(auth.verify(await sign(keyB, { iss: tenantB }))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
  })

  it("rejects a token that names issuer A but is signed with issuer B's key", async () => {
    const keyA = await signingKey('ES256', 'a')
    const keyB = await signingKey('ES256', 'b')
    const auth = createAuth({
      issuers: [
        { issuer: tenantA, audience, jwks: { keys: [keyA.publicJwk] } },
        { issuer: tenantB, audience, jwks: { keys: [keyB.publicJwk] } },
      ],
    })
    await expect(auth.verify(await sign(keyB, { iss: tenantA }))).rejects.toMatchObject({
      code: 'key_not_found',
      status: 401,
    })
    await expect(auth.verify(await sign(keyB, { iss: tenantA }, { kid: 'a' }))).rejects.toMatchObject({
      code: 'signature_invalid',
      status: 401,
    })
  })

  it("rejects issuer A's HMAC token when only issuer B holds that secret", async () => {
    const keyA = await signingKey('ES256', 'a')
    const auth = createAuth({
      issuers: [
        { issuer: tenantA, audience, jwks: { keys: [keyA.publicJwk] } },
        { issuer: tenantB, audience, secret },
      ],
    })
    await expect(auth.verify(await sign(secret, { iss: tenantA }))).rejects.toMatchObject({
      code: 'algorithm_not_allowed',
    })
    expect((await auth.verify(await sign(secret, { iss: tenantB }))).issuer).toBe(tenantB)
  })

  it('rejects an issuer nobody configured, and a token without iss', async () => {
    const auth = createAuth({ issuers: [{ issuer: tenantB, audience, secret }] })
    await expect(auth.verify(await sign(secret, { iss: tenantA }))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
    await expect(auth.verify(await sign(secret, { iss: undefined }))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
  })

  it('refuses an issuer configured twice, and issuer beside issuers', () => {
    expect(() =>
      createAuth({
        issuers: [
          { issuer: tenantA, audience, secret },
          { issuer: tenantA, audience, secret },
        ],
      }),
    ).toThrow(/configured twice/)
    // @ts-expect-error exclusive options
    expect(() => createAuth({ issuer: tenantA, issuers: [{ issuer: tenantB, audience, secret }] })).toThrow(
      /either "issuer" or "issuers"/,
    )
  })
})
