import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type AuthEvent, createAuth } from '@portcullis/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, clock, issuer, serveJson, sign, signingKey } from '../support/fixtures.js'

// Issue 11: a token verified by a key stayed in the verified-token cache, and passed, until its exp
// although the IdP had pulled the key (a rotation, or a compromise). Every refetch that no longer holds
// a key now drops the tokens it verified at once; invalidate() is the way to force that refetch.
describe('issue 11: a key removed from the JWKS', () => {
  async function setup() {
    const time = clock()
    const pulled = await signingKey('ES256', 'pulled')
    const kept = await signingKey('ES256', 'kept')
    let keys = [pulled.publicJwk, kept.publicJwk]
    const idp = await serveJson(() => ({ keys }))
    const events: AuthEvent[] = []
    const auth = createAuth({
      issuer,
      audience,
      jwks: `${idp.url}/jwks`,
      now: time.now,
      onEvent: (event) => events.push(event),
    })
    const exp = Math.floor(time.now() / 1000) + 3600
    const pulledToken = await sign(pulled, { exp }, {}, time.now())
    const keptToken = await sign(kept, { exp }, {}, time.now())
    await auth.verify(pulledToken)
    await auth.verify(keptToken)
    const pull = () => {
      keys = [kept.publicJwk]
    }
    return { time, auth, idp, events, pulledToken, keptToken, pull, kept }
  }

  it('drops its cached tokens as soon as invalidate() refetches', async () => {
    const { auth, pulledToken, keptToken, pull, events } = await setup()
    pull()
    await auth.invalidate()
    await expect(auth.verify(keptToken)).resolves.toMatchObject({ keyId: 'kept' })
    await expect(auth.verify(pulledToken)).rejects.toMatchObject({ code: 'key_not_found', status: 401 })
    // The kept key's token is still answered from the cache; the pulled one is not.
    const verified = events.filter((event) => event.type === 'verified')
    expect(verified.at(-1)).toMatchObject({ kid: 'kept', cached: true })
  })

  it('drops its cached tokens when the background refresh after maxAge sees the removal', async () => {
    const { auth, time, pulledToken, pull, idp, kept } = await setup()
    pull()
    time.advance(11 * 60_000) // past maxAge: the next new token is served stale, and a refetch starts
    await auth.verify(await sign(kept, { jti: 'new' }, {}, time.now()))
    for (let i = 0; i < 50 && idp.hits() < 2; i++) await new Promise((done) => setTimeout(done, 10))
    await new Promise((done) => setTimeout(done, 20))
    expect(auth.authenticateSync({ headers: { authorization: `Bearer ${pulledToken}` } })).toBeUndefined()
    await expect(auth.verify(pulledToken)).rejects.toMatchObject({ code: 'key_not_found' })
  })

  it("rejects the pulled key's cached token through authenticate, on a Fetch Request and a real node:http server", async () => {
    const { auth, pulledToken, keptToken, pull } = await setup()
    const server = createServer(async (request, response) => {
      const result = await auth.authenticate(request)
      response.statusCode = result.status === 'rejected' ? result.error.status : 200
      response.end(result.status === 'rejected' ? result.error.code : result.status)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const call = async (token: string) => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      return [response.status, await response.text()]
    }
    const fetchRequest = (token: string) =>
      new Request('https://api.example.com/', { headers: { authorization: `Bearer ${token}` } })
    expect(await call(pulledToken)).toEqual([200, 'authenticated'])
    pull()
    await auth.invalidate()
    expect(await call(pulledToken)).toEqual([401, 'key_not_found'])
    expect(await auth.authenticate(fetchRequest(pulledToken))).toMatchObject({
      status: 'rejected',
      error: { code: 'key_not_found', status: 401 },
    })
    expect(await call(keptToken)).toEqual([200, 'authenticated'])
    expect(await auth.authenticate(fetchRequest(keptToken))).toMatchObject({ status: 'authenticated' })
  })

  it('keeps cached tokens whose key is still published, without re-importing it', async () => {
    const { auth, keptToken, pulledToken, events } = await setup()
    await auth.invalidate()
    await auth.verify(keptToken)
    await auth.verify(pulledToken)
    const verified = events.filter((event) => event.type === 'verified').slice(-2)
    expect(verified.map((event) => (event as { cached: boolean }).cached)).toEqual([true, true])
  })
})
