import { createAuth, denyList, memoryStore } from '@portcullis/core'
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { audience, claims, issuer, secret, serveStandalone, sign } from './support/fixtures.js'
import { type AppRouter, createApp } from './support/router.js'

// Core's claim-shape options flow through the adapter unchanged: scopes from Auth0's `permissions`,
// authorized parties, and a deny list asked on every request.
async function start() {
  const deny = denyList({ store: memoryStore() })
  const auth = createAuth({
    issuer,
    audience,
    secret,
    claims,
    realm: 'api',
    scopes: { claims: ['scope', 'permissions'] },
    authorizedParties: ['spa'],
    revoked: deny.revoked,
  })
  const { router, createContext } = createApp(auth)
  const url = await serveStandalone(router, createContext)
  const client = (token: string) =>
    createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
    })
  return { client, deny }
}

const failure = (call: Promise<unknown>) =>
  call.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(TRPCClientError)
      return (error as TRPCClientError<AppRouter>).data
    },
  )

describe('claim shapes through the tRPC adapter', () => {
  it('lets a permissions-based scope guard pass, and answers FORBIDDEN without the permission', async () => {
    const { client } = await start()
    const granted = await sign({ scope: '', permissions: ['read:reports'], azp: 'spa' })
    expect(await client(granted).reports.query()).toEqual(['q1', 'q2'])
    const lacking = await sign({ scope: '', permissions: ['write:reports'], azp: 'spa' })
    expect(await failure(client(lacking).reports.query())).toMatchObject({
      code: 'FORBIDDEN',
      httpStatus: 403,
      authCode: 'insufficient_scope',
    })
  })

  it("answers UNAUTHORIZED (azp_invalid) for another client's token", async () => {
    const { client } = await start()
    const token = await sign({ azp: 'someone-else' })
    expect(await failure(client(token).me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      authCode: 'azp_invalid',
    })
  })

  it('answers UNAUTHORIZED (revoked) for a cached token once it is on the deny list', async () => {
    const { client, deny } = await start()
    const token = await sign({ azp: 'spa', jti: 'token-1' })
    expect(await client(token).me.query()).toMatchObject({ subject: 'alice' })
    await deny.revoke({ jti: 'token-1', until: new Date(Date.now() + 60_000) })
    expect(await failure(client(token).me.query())).toMatchObject({
      code: 'UNAUTHORIZED',
      httpStatus: 401,
      authCode: 'revoked',
    })
  })
})
