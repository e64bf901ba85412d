import { createAuth, discoverJwksUri } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, serve, sign, signingKey } from '../support/fixtures.js'

// Issue 2: keys come from configuration only, so they must travel where nobody can swap them. A `jwks`
// URL on plain http off loopback was accepted (the error said "must use https" only for other
// schemes), and discovery fetched the OIDC document of an http issuer, whose `jwks_uri` a network
// attacker could point at keys of their own. Plain http stays allowed on loopback, for development.
describe('issue 2: remote keys over plain http', () => {
  it('refuses a jwks URL on plain http off loopback at construction', () => {
    expect(() =>
      createAuth({ issuer: 'https://id.example.com/', audience, jwks: 'http://id.example.com/jwks' }),
    ).toThrow(/"jwks" URL must use https/)
  })

  it('still accepts a jwks URL on plain http on loopback', () => {
    expect(() =>
      createAuth({ issuer: 'https://id.example.com/', audience, jwks: 'http://127.0.0.1:1/jwks' }),
    ).not.toThrow()
  })

  it('refuses to discover keys of an issuer on plain http off loopback', async () => {
    await expect(discoverJwksUri('http://id.example.com')).rejects.toThrow(/must use https/)
    const auth = createAuth({ issuer: 'http://id.example.com', audience })
    const key = await signingKey('ES256')
    await expect(auth.verify(await sign(key, { iss: 'http://id.example.com' }))).rejects.toMatchObject({
      code: 'jwks_unavailable',
      status: 503,
      message: expect.stringContaining('must use https'),
    })
  })

  it('still discovers keys of an issuer on loopback', async () => {
    const server = await serve((_request, response) => {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ issuer: server.url, jwks_uri: `${server.url}/jwks` }))
    })
    await expect(discoverJwksUri(server.url)).resolves.toBe(`${server.url}/jwks`)
  })
})
