import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret, serveJson, sign } from './support/fixtures.js'
import { grantsViaBoth } from './support/grants.js'

const parties = () => createAuth({ issuer, audience, secret, authorizedParties: ['client-a', 'client-b'] })
const refused = { status: 'rejected', code: 'azp_invalid', httpStatus: 401 }

describe('authorizedParties: the azp check (OIDC Core 2)', () => {
  it('accepts a token whose azp is a listed client', async () => {
    const { node, fetch } = await grantsViaBoth(parties(), await sign(secret, { azp: 'client-b' }))
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'authenticated', subject: 'alice' })
  })

  it('refuses a token issued to another client (azp_invalid, 401) with an invalid_token challenge', async () => {
    const { node, fetch } = await grantsViaBoth(parties(), await sign(secret, { azp: 'client-c' }))
    for (const outcome of [node, fetch]) expect(outcome).toEqual(refused)
    const error = await parties()
      .verify(await sign(secret, { azp: 'client-c' }))
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'azp_invalid', status: 401 })
    expect((error as { wwwAuthenticate: string }).wwwAuthenticate).toContain('error="invalid_token"')
    expect(String((error as Error).message)).not.toContain('client-c')
  })

  it('refuses a token that names no party at all: fail closed, even with a single audience', async () => {
    const { node, fetch } = await grantsViaBoth(parties(), await sign(secret))
    for (const outcome of [node, fetch]) expect(outcome).toEqual(refused)
    const several = await sign(secret, { aud: [audience, 'https://other.example.com'] })
    await expect(parties().verify(several)).rejects.toMatchObject({ code: 'azp_invalid' })
  })

  it('reads client_id (RFC 9068 access tokens) when there is no azp', async () => {
    await expect(parties().verify(await sign(secret, { client_id: 'client-a' }))).resolves.toMatchObject({
      subject: 'alice',
    })
    await expect(parties().verify(await sign(secret, { client_id: 'client-z' }))).rejects.toMatchObject({
      code: 'azp_invalid',
    })
  })

  it('refuses azp and client_id that disagree, and a party that is not a string', async () => {
    for (const claims of [
      { azp: 'client-a', client_id: 'client-z' },
      { azp: 'client-z', client_id: 'client-a' },
      { azp: ['client-a'] },
      { client_id: 7 },
      { azp: '' },
    ])
      await expect(parties().verify(await sign(secret, claims))).rejects.toMatchObject({
        code: 'azp_invalid',
        status: 401,
      })
    await expect(
      parties().verify(await sign(secret, { azp: 'client-a', client_id: 'client-a' })),
    ).resolves.toMatchObject({ subject: 'alice' })
  })

  it('checks nothing when not configured', async () => {
    const auth = createAuth({ issuer, audience, secret })
    await expect(auth.verify(await sign(secret, { azp: 'anyone' }))).resolves.toMatchObject({
      subject: 'alice',
    })
  })

  it('is per issuer: each IdP lists its own clients', async () => {
    const other = 'https://other.example.com/'
    const auth = createAuth({
      issuers: [
        { issuer, audience, secret, authorizedParties: ['client-a'] },
        { issuer: other, audience, secret: `${secret}-other`, authorizedParties: ['client-x'] },
      ],
    })
    await expect(auth.verify(await sign(secret, { azp: 'client-a' }))).resolves.toBeDefined()
    await expect(
      auth.verify(await sign(`${secret}-other`, { iss: other, azp: 'client-a' })),
    ).rejects.toMatchObject({ code: 'azp_invalid' })
    await expect(
      auth.verify(await sign(`${secret}-other`, { iss: other, azp: 'client-x' })),
    ).resolves.toBeDefined()
  })

  it("applies to introspected tokens through the answer's client_id (RFC 7662)", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    let clientId: string | undefined = 'client-a'
    const endpoint = await serveJson(() => ({
      active: true,
      sub: 'alice',
      aud: audience,
      exp,
      client_id: clientId,
    }))
    const auth = createAuth({
      issuer,
      audience,
      secret,
      authorizedParties: ['client-a'],
      introspection: { endpoint: `${endpoint.url}/introspect`, clientId: 'api', clientSecret: 'api-secret' },
    })
    await expect(auth.verify('opaque-1')).resolves.toMatchObject({ subject: 'alice' })
    clientId = 'client-z'
    const { node, fetch } = await grantsViaBoth(auth, 'opaque-2')
    for (const outcome of [node, fetch]) expect(outcome).toEqual(refused)
    clientId = undefined
    await expect(auth.verify('opaque-3')).rejects.toMatchObject({ code: 'azp_invalid' })
  })

  it.each([
    [[], '"options.authorizedParties" must be a non-empty array of client ids'],
    ['client-a', '"options.authorizedParties" must be a non-empty array of client ids'],
    [['client-a', ''], '"options.authorizedParties[1]" must be a non-empty string'],
  ])('refuses authorizedParties %j at construction', (value, message) => {
    expect(() => createAuth({ issuer, audience, secret, authorizedParties: value as string[] })).toThrow(
      new TypeError(message),
    )
  })
})
