import { type AuthEvent, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, serve, sign, signingKey } from '../support/fixtures.js'

// Issue 11: fetches followed redirects and checked only the final URL, so https -> http -> https
// installed keys served by whoever answered the plain-http hop. Redirects are now followed by hand,
// only within the origin first asked (so every hop keeps its scheme), at most three.
describe('issue 11: redirects of JWKS and discovery fetches', () => {
  it('refuses a JWKS redirect to another origin, and never asks that origin', async () => {
    const key = await signingKey('ES256')
    const elsewhere = await serve((_request, response) =>
      response.end(JSON.stringify({ keys: [key.publicJwk] })),
    )
    const idp = await serve((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/jwks` }).end()
    })
    const events: AuthEvent[] = []
    const auth = createAuth({
      issuer: 'https://id.example.com/',
      audience,
      jwks: `${idp.url}/jwks`,
      onEvent: (event) => events.push(event),
    })
    const token = await sign(key)
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'jwks_unavailable', status: 503 })
    const request = new Request('https://api.example.com/', { headers: { authorization: `Bearer ${token}` } })
    expect(await auth.authenticate(request)).toMatchObject({
      status: 'rejected',
      error: { code: 'jwks_unavailable', status: 503 },
    })
    expect(elsewhere.hits()).toBe(0)
    expect(events.find((event) => event.type === 'jwks_fetch_failed')).toMatchObject({
      reason: 'redirected to another origin',
    })
  })

  it('refuses a hop to another host name for the same address (localhost for 127.0.0.1)', async () => {
    const key = await signingKey('ES256')
    let port = 0
    const idp = await serve((request, response) => {
      if (request.url === '/jwks')
        return response.writeHead(301, { location: `http://localhost:${port}/keys` }).end()
      response.end(JSON.stringify({ keys: [key.publicJwk] }))
    })
    port = Number(new URL(idp.url).port)
    const auth = createAuth({ issuer: 'https://id.example.com/', audience, jwks: `${idp.url}/jwks` })
    await expect(auth.verify(await sign(key))).rejects.toMatchObject({ code: 'jwks_unavailable' })
    expect(idp.hits()).toBe(1)
  })

  it('follows redirects within the origin, at most three', async () => {
    const key = await signingKey('ES256')
    const idp = await serve((request, response) => {
      const hop = Number(request.url!.slice(1))
      if (hop < 3) return response.writeHead(307, { location: `/${hop + 1}` }).end()
      response.end(JSON.stringify({ keys: [key.publicJwk] }))
    })
    const three = createAuth({ issuer: 'https://id.example.com/', audience, jwks: `${idp.url}/0` })
    expect((await three.verify(await sign(key))).subject).toBe('alice')
    const four = createAuth({ issuer: 'https://id.example.com/', audience, jwks: `${idp.url}/-1` })
    await expect(four.verify(await sign(key))).rejects.toMatchObject({
      code: 'jwks_unavailable',
      message: expect.stringContaining('more than 3 redirects'),
    })
  })

  it('refuses an https -> http -> https chain (each hop checked, not just the last)', async () => {
    const key = await signingKey('ES256')
    const asked: string[] = []
    // A network of three answers: the https origin redirects to plain http, which redirects back.
    const answer = (url: string) => {
      asked.push(url)
      if (url === 'https://id.example.com/jwks')
        return new Response(null, { status: 302, headers: { location: 'http://id.example.com/evil' } })
      if (url === 'http://id.example.com/evil')
        return new Response(null, { status: 302, headers: { location: 'https://id.example.com/keys' } })
      return Response.json({ keys: [key.publicJwk] })
    }
    // Like a real fetch: redirect 'follow' walks the chain and reports only where it ended.
    const network: typeof fetch = async (input, init) => {
      let url = String(input)
      let response = answer(url)
      while (init?.redirect !== 'manual' && response.status === 302) {
        url = new URL(response.headers.get('location')!, url).href
        response = answer(url)
        Object.defineProperties(response, { url: { value: url }, redirected: { value: true } })
      }
      return response
    }
    const auth = createAuth({
      issuer: 'https://id.example.com/',
      audience,
      jwks: 'https://id.example.com/jwks',
      jwksOptions: { fetch: network },
    })
    await expect(auth.verify(await sign(key))).rejects.toMatchObject({ code: 'jwks_unavailable' })
    expect(asked).toEqual(['https://id.example.com/jwks'])
  })

  it('refuses a discovery document redirected to another origin', async () => {
    const key = await signingKey('ES256')
    const elsewhere = await serve((_request, response) => response.end('{}'))
    const idp = await serve((_request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}/.well-known/openid-configuration` }).end()
    })
    const auth = createAuth({ issuer: idp.url, audience })
    await expect(auth.verify(await sign(key, { iss: idp.url }))).rejects.toMatchObject({
      code: 'jwks_unavailable',
      message: expect.stringContaining('redirected to another origin'),
    })
    expect(elsewhere.hits()).toBe(0)
  })
})
