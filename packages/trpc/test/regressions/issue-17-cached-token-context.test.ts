import { AuthError } from '@portcullis/core'
import { createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { describe, expect, it } from 'vitest'
import { makeAuth, sign } from '../support/fixtures.js'

// Issue 17: the context answers a cached token through core's authenticateSync, without a promise of
// its own. That shortcut must give what authenticate gives, and never skip an authenticate an app
// replaced to add a check.

function handler(auth: ReturnType<typeof makeAuth>) {
  const createContext = createAuthContext(auth)
  const t = initTRPC.context<typeof createContext>().create()
  const { protectedProcedure } = createAuthProcedures(t)
  const router = t.router({ me: protectedProcedure.query(({ ctx }) => ctx.identity.subject) })
  return async (authorization: string) => {
    const req = new Request('http://trpc.test/trpc/me', { headers: { authorization } })
    const response = await fetchRequestHandler({ endpoint: '/trpc', req, router, createContext })
    return { status: response.status, body: (await response.json()) as { result?: { data: unknown } } }
  }
}

describe('a cached bearer token in createAuthContext', () => {
  it('serves the identity on every call, and stops at exp like the first', async () => {
    let now = Date.now()
    const call = handler(makeAuth(() => now))
    const token = await sign({ exp: Math.floor(now / 1000) + 60 })
    expect((await call(`Bearer ${token}`)).body.result?.data).toBe('alice')
    expect((await call(`Bearer ${token}`)).body.result?.data).toBe('alice')
    now += 120_000
    expect((await call(`Bearer ${token}`)).status).toBe(401)
  })

  it('goes through an authenticate the app replaced, even once the token is cached', async () => {
    const auth = makeAuth()
    const token = await sign()
    await auth.verify(token)
    const revoked = {
      ...auth,
      authenticate: async () => ({
        status: 'rejected' as const,
        error: new AuthError('token_inactive', 'revoked by the app'),
      }),
    }
    const call = handler(revoked as typeof auth)
    expect((await call(`Bearer ${token}`)).status).toBe(401)
  })
})
