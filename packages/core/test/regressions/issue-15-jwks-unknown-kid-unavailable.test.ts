import type { IncomingMessage, ServerResponse } from 'node:http'
import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, clock, issuer, serve, sign, signingKey } from '../support/fixtures.js'

// Issue 15: a token whose kid was not cached, while the key set could not be fetched, was
// key_not_found 401: the client logs the user out although the key may well exist (a rotation the
// verifier could not see). It is jwks_unavailable 503, for the token that triggered the failed fetch
// and for later unknown-kid tokens while the retry waits.
type Handler = (request: IncomingMessage, response: ServerResponse) => void

const outages: Array<[string, Handler]> = [
  [
    'answers 5xx',
    (_request, response) => {
      response.statusCode = 503
      response.end('maintenance')
    },
  ],
  ['answers non-JSON', (_request, response) => response.end('<html>login</html>')],
  ['hangs', () => {}],
  ['resets the connection', (request) => request.socket.destroy()],
]

describe('issue 15: an unknown kid while the key set cannot be fetched', () => {
  for (const [name, outage] of outages) {
    it(`is jwks_unavailable 503 when the IdP ${name}, and known keys keep verifying`, async () => {
      const time = clock()
      const known = await signingKey('ES256', 'known')
      const rotated = await signingKey('ES256', 'rotated-in')
      let up = true
      const idp = await serve((request, response) => {
        if (!up) return outage(request, response)
        response.end(JSON.stringify({ keys: [known.publicJwk] }))
      })
      const auth = createAuth({
        issuer,
        audience,
        jwks: `${idp.url}/jwks`,
        now: time.now,
        jwksOptions: { timeout: '200ms' },
      })
      await auth.verify(await sign(known, { jti: 'warm' }, {}, time.now()))
      up = false
      time.advance(31_000) // past the unknown-kid cooldown: the new kid triggers a fetch, which fails

      const first = await auth.verify(await sign(rotated, {}, {}, time.now())).catch((error) => error)
      expect(first).toMatchObject({ code: 'jwks_unavailable', status: 503 })
      expect(idp.hits()).toBe(2)
      // Later unknown kids while the retry waits: still 503, and no fetch.
      time.advance(500)
      const again = await auth.verify(await sign(rotated, { jti: '2' }, {}, time.now())).catch((e) => e)
      expect(again).toMatchObject({ code: 'jwks_unavailable', status: 503 })
      expect(idp.hits()).toBe(2)
      // Tokens of the cached key are not the outage's victims.
      expect((await auth.verify(await sign(known, { jti: '3' }, {}, time.now()))).keyId).toBe('known')
    })
  }

  it('stays key_not_found 401 when the key set was fetched and does not hold the kid', async () => {
    const time = clock()
    const known = await signingKey('ES256', 'known')
    const stranger = await signingKey('ES256', 'stranger')
    const idp = await serve((_request, response) => response.end(JSON.stringify({ keys: [known.publicJwk] })))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    await auth.verify(await sign(known, {}, {}, time.now()))
    time.advance(31_000)
    await expect(auth.verify(await sign(stranger, {}, {}, time.now()))).rejects.toMatchObject({
      code: 'key_not_found',
      status: 401,
    })
    expect(idp.hits()).toBe(2)
  })
})
