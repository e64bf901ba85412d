import { createAuth } from '@portcullis/core'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'

// Issue 7: a Fetch Request from a ponyfill (GraphQL Yoga on Node uses @whatwg-node/fetch) has its own
// Headers class, which core read as no headers, so the Yoga adapter copied every request's headers
// into a global Headers. Core now reads any Headers-like object through `get`.
class PonyfillHeaders {
  readonly #map = new Map<string, string>()
  constructor(init: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(init)) this.#map.set(name.toLowerCase(), value)
  }
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase())
  }
  forEach(callback: (value: string, name: string) => void): void {
    this.#map.forEach(callback)
  }
}
const ponyfillRequest = (headers: Record<string, string>) => ({
  url: 'http://127.0.0.1/graphql',
  headers: new PonyfillHeaders(headers),
})

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 's'.repeat(32)
const auth = createAuth({ issuer, audience, secret })
const sign = () =>
  new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret))

describe('issue 7: requests whose Headers come from a ponyfill', () => {
  it('authenticates a bearer token read through the ponyfill Headers', async () => {
    const token = await sign()
    const result = await auth.authenticate(ponyfillRequest({ Authorization: `Bearer ${token}` }))
    expect(result).toMatchObject({
      status: 'authenticated',
      identity: { subject: 'alice', source: 'bearer' },
    })
  })

  it('authenticates a session cookie read through the ponyfill Headers', async () => {
    const token = await sign()
    const result = await auth.authenticate(ponyfillRequest({ cookie: `theme=dark; __session=${token}` }))
    expect(result).toMatchObject({ status: 'authenticated', identity: { source: 'cookie' } })
  })

  it('reads no credentials as anonymous', async () => {
    await expect(auth.authenticate(ponyfillRequest({ accept: 'application/json' }))).resolves.toEqual({
      status: 'anonymous',
    })
  })

  it('still rejects two joined Authorization headers as ambiguous', async () => {
    const token = await sign()
    const result = await auth.authenticate(
      ponyfillRequest({ authorization: `Bearer ${token}, Bearer ${token}` }),
    )
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_ambiguous', status: 401 } })
  })

  it('still reads a plain header record, which has no get method', async () => {
    const token = await sign()
    const result = await auth.authenticate({ headers: { authorization: `Bearer ${token}` } })
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
  })
})
