import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth, denyList, memoryStore } from '@portcullis/core'
import { useAuth } from '@portcullis/yoga'
import { createYoga } from 'graphql-yoga'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, issuer, makeSchema, secret, sign } from './fixtures.js'

// Core's claim-shape options flow through the plugin unchanged: scopes from Auth0's `permissions`,
// authorized parties, and a deny list asked on every request.
async function start() {
  const deny = denyList({ store: memoryStore() })
  const auth = createAuth({
    issuer,
    audience,
    secret,
    scopes: { claims: ['scope', 'permissions'] },
    authorizedParties: ['spa'],
    revoked: deny.revoked,
  })
  const yoga = createYoga({ schema: makeSchema(), plugins: [useAuth({ auth })], logging: false })
  const server = createServer(yoga)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
  const post = async (query: string, token: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    })
    const body = (await response.json()) as {
      data?: Record<string, unknown> | null
      errors?: { extensions: Record<string, unknown> }[]
    }
    return { status: response.status, body }
  }
  return { post, deny, yoga }
}

describe('claim shapes through the Yoga plugin, over a real server', () => {
  it('lets a permissions-based @auth(scopes) field resolve, and refuses it without the permission', async () => {
    const { post } = await start()
    const granted = await post(
      '{ reports { id } me { scopes } }',
      await sign({ permissions: ['read:reports'], azp: 'spa' }),
    )
    expect(granted.status).toBe(200)
    expect(granted.body.data).toEqual({
      reports: [{ id: 'r0' }, { id: 'r1' }],
      me: { scopes: ['read:reports'] },
    })
    const lacking = await post(
      '{ reports { id } }',
      await sign({ permissions: ['write:reports'], azp: 'spa' }),
    )
    expect(lacking.status).toBe(403)
    expect(lacking.body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'insufficient_scope',
    })
  })

  it("answers 401 azp_invalid for another client's token", async () => {
    const { post } = await start()
    const result = await post('{ me { id } }', await sign({ azp: 'someone-else' }))
    expect(result.status).toBe(401)
    expect(result.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'azp_invalid',
    })
  })

  it('answers 401 revoked for a cached token once it is on the deny list, over yoga.fetch too', async () => {
    const { post, deny, yoga } = await start()
    const token = await sign({ azp: 'spa', jti: 'token-1' })
    expect((await post('{ me { id } }', token)).body.data).toEqual({ me: { id: 'alice' } })
    await deny.revoke({ jti: 'token-1', until: new Date(Date.now() + 60_000) })
    const result = await post('{ me { id } }', token)
    expect(result.status).toBe(401)
    expect(result.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    const viaFetch = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    })
    expect(viaFetch.status).toBe(401)
  })
})
