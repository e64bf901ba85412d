import { createAuth } from '@portcullis/core'
import { SignJWT } from 'jose'
import { expect, it } from 'vitest'

// Yoga hands over a Request whose Headers come from @whatwg-node/fetch, not the global class.
class PonyfillHeaders {
  readonly #map: Map<string, string>
  constructor(init: Record<string, string>) {
    this.#map = new Map(Object.entries(init).map(([name, value]) => [name.toLowerCase(), value]))
  }
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase())
  }
}

it('reads headers from a Headers object of another realm or ponyfill', async () => {
  const secret = 's'.repeat(32)
  const auth = createAuth({ issuer: 'https://id.example.com/', audience: 'api', secret })
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('https://id.example.com/')
    .setAudience('api')
    .setSubject('alice')
    .setExpirationTime('1m')
    .sign(new TextEncoder().encode(secret))
  const request = { headers: new PonyfillHeaders({ Authorization: `Bearer ${token}` }) }
  expect(await auth.authenticate(request as unknown as Request)).toMatchObject({
    status: 'authenticated',
    identity: { subject: 'alice' },
  })
})
