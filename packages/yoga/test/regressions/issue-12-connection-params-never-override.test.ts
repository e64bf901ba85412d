import { describe, expect, it } from 'vitest'
import { sign } from '../fixtures.js'
import { listen, ws } from '../support/server.js'

// The tRPC half of issue 12 found connectionParams overriding a credential the request itself
// carried. The same class in Yoga: graphql-ws connectionParams replaced the upgrade request's own
// cookies. They now only fill in headers the upgrade request does not carry.
describe('graphql-ws connectionParams never override the upgrade request', () => {
  it("keep the upgrade request's own cookie over a token in connectionParams", async () => {
    const { ws: url } = await listen()
    const results = await ws(url, 'subscription { ticks(count: 1) }', {
      cookie: `__session=${(await sign({ sub: 'alice' })).slice(0, -4)}AAAA`,
      connectionParams: { authorization: `Bearer ${await sign({ sub: 'mallory' })}` },
    })
    // The request's own (forged) cookie is what is judged, not mallory's valid token.
    expect(results[0]?.errors?.[0]?.extensions).toMatchObject({ reason: 'signature_invalid' })
  })

  it('fill in what the upgrade request lacks', async () => {
    const { ws: url } = await listen()
    const results = await ws(url, 'subscription { ticks(count: 1) }', {
      cookie: 'theme=dark',
      connectionParams: { Authorization: `Bearer ${await sign()}` },
    })
    expect(results).toEqual([{ data: { ticks: 1 } }])
  })
})
