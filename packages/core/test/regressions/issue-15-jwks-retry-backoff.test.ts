import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, clock, issuer, serve, sign, signingKey } from '../support/fixtures.js'

// Issue 15: after a failed fetch the next one waited the whole unknown-kid cooldown (30 s), so a key
// published when the IdP came back was refused for half a minute. Retries now back off from 1 s to
// at most 8 s: recovery within seconds, and a flood of random kids still costs few fetches.
describe('issue 15: retrying a key set after a failed fetch', () => {
  it('costs a bounded number of fetches per minute under a flood of random kids while the IdP is down', async () => {
    const time = clock()
    const key = await signingKey('ES256', 'known')
    let up = true
    const idp = await serve((_request, response) => {
      response.statusCode = up ? 200 : 502
      response.end(up ? JSON.stringify({ keys: [key.publicJwk] }) : '')
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    await auth.verify(await sign(key, {}, {}, time.now()))
    up = false
    time.advance(31_000)
    const before = idp.hits()
    // One minute, ten random-kid tokens every 100 ms: 6000 tokens.
    const codes = new Set<string>()
    for (let tick = 0; tick < 600; tick++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async (_, i) =>
          auth.verify(await sign(key, {}, { kid: `random-${tick}-${i}` }, time.now())).catch((e) => e.code),
        ),
      )
      for (const code of batch) codes.add(code)
      time.advance(100)
    }
    expect([...codes]).toEqual(['jwks_unavailable'])
    const fetches = idp.hits() - before
    // 1, 2, 4, then every 8 s: 0, 1, 3, 7, 15, 23, 31, 39, 47, 55 s.
    expect(fetches).toBeGreaterThanOrEqual(5)
    expect(fetches).toBeLessThanOrEqual(10)
  })

  it('accepts a key published after the IdP returns within seconds, not after the cooldown', async () => {
    const time = clock()
    const old = await signingKey('ES256', 'old')
    const fresh = await signingKey('ES256', 'new')
    let keys: unknown[] | undefined = [old.publicJwk]
    const idp = await serve((_request, response) => {
      response.statusCode = keys ? 200 : 500
      response.end(keys ? JSON.stringify({ keys }) : 'down')
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    await auth.verify(await sign(old, {}, {}, time.now()))
    keys = undefined // the IdP goes down for 125 s
    time.advance(31_000)
    for (let second = 0; second < 125; second++) {
      await auth.verify(await sign(fresh, { jti: String(second) }, {}, time.now())).catch(() => {})
      time.advance(1000)
    }
    keys = [old.publicJwk, fresh.publicJwk] // back, with the new key
    const back = time.now()
    let acceptedAfter: number | undefined
    for (let step = 0; step < 300 && acceptedAfter === undefined; step++) {
      const result = await auth.verify(await sign(fresh, { jti: `r${step}` }, {}, time.now())).catch(() => {})
      if (result) acceptedAfter = time.now() - back
      else time.advance(100)
    }
    expect(acceptedAfter).toBeDefined()
    expect(acceptedAfter!).toBeLessThanOrEqual(8000)
  })
})
