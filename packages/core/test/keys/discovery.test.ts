import { createAuth, discoverJwksUri } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, serve, sign, signingKey } from '../support/fixtures.js'

/** A minimal OIDC issuer on loopback: a discovery document and a JWKS. */
async function oidcIssuer(document: (base: string) => Record<string, unknown>) {
  const key = await signingKey('ES256')
  const paths: string[] = []
  const server = await serve((request, response) => {
    paths.push(request.url ?? '')
    response.setHeader('content-type', 'application/json')
    if (request.url === '/.well-known/openid-configuration')
      return response.end(JSON.stringify(document(base)))
    if (request.url === '/jwks') return response.end(JSON.stringify({ keys: [key.publicJwk] }))
    response.statusCode = 404
    response.end()
  })
  const base = server.url
  return { key, base, paths }
}

describe('OIDC discovery', () => {
  it('finds jwks_uri from the issuer when no key material is given', async () => {
    const idp = await oidcIssuer((base) => ({ issuer: base, jwks_uri: `${base}/jwks` }))
    const auth = createAuth({ issuer: idp.base, audience })
    for (let i = 0; i < 3; i++) await auth.verify(await sign(idp.key, { iss: idp.base, jti: String(i) }))
    expect(idp.paths).toEqual(['/.well-known/openid-configuration', '/jwks'])
    expect(await discoverJwksUri(idp.base)).toBe(`${idp.base}/jwks`)
  })

  it('refuses a discovery document that names another issuer', async () => {
    const idp = await oidcIssuer((base) => ({ issuer: 'https://evil.example', jwks_uri: `${base}/jwks` }))
    const auth = createAuth({ issuer: idp.base, audience })
    const error = await auth.verify(await sign(idp.key, { iss: idp.base })).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect((error as Error).message).toContain('different issuer')
    expect(idp.paths).not.toContain('/jwks')
  })

  it.each([
    ['missing', undefined, 'no jwks_uri'],
    ['plain http off loopback', 'http://keys.example.com/jwks', 'must use https'],
    ['not a URL', 'not a url', 'invalid jwks_uri'],
  ])('refuses a jwks_uri that is %s', async (_name, jwksUri, reason) => {
    const idp = await oidcIssuer((base) => ({ issuer: base, jwks_uri: jwksUri }))
    const auth = createAuth({ issuer: idp.base, audience })
    const error = await auth.verify(await sign(idp.key, { iss: idp.base })).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect((error as Error).message).toContain(reason)
  })
})
