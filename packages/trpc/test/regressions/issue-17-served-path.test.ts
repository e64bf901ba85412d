import { AuthError } from '@portcullis/core'
import { authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { describe, expect, it } from 'vitest'
import { makeAuth, serveStandalone, sign } from '../support/fixtures.js'
import { serveFetch } from '../support/servers.js'

// Issue 17 (served path): an HTTP call's protectedProcedure middleware is no longer async (it returns
// next()'s promise, translated by one `then`), and the context writes response headers through the
// adapter's own Headers or a small Node response sink instead of closures. Each behaviour the old
// async middleware and closure sinks gave must hold on a real server, for both kinds of response.

function app() {
  const createContext = createAuthContext(makeAuth())
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: authErrorFormatter })
  const { protectedProcedure } = createAuthProcedures(t)
  const router = t.router({
    me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
    admin: protectedProcedure.query(() => {
      // core's own check, thrown from a resolver, keeps its meaning
      throw new AuthError('insufficient_scope', 'requires the scopes: admin', { scopes: ['admin'] })
    }),
    broken: protectedProcedure.query((): string => {
      throw new Error('database down')
    }),
  })
  return { router, createContext }
}

const servers = {
  'the standalone adapter (a Node response)': () => serveStandalone(app().router, app().createContext),
  'the fetch adapter (resHeaders)': () => serveFetch(app()),
}

describe.each(Object.entries(servers))('a protected HTTP query through %s', (_, serve) => {
  it('serves the identity of a cached token', async () => {
    const url = await serve()
    const authorization = `Bearer ${await sign()}`
    for (let call = 0; call < 3; call++) {
      const response = await fetch(`${url}/trpc/me`, { headers: { authorization } })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ result: { data: 'alice' } })
    }
  })

  it('answers 401 with one challenge without a token', async () => {
    const response = await fetch(`${await serve()}/trpc/me`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await response.json()).toMatchObject({ error: { data: { authCode: 'token_missing' } } })
  })

  it("turns a resolver's AuthError into 403 with its challenge, the realm added", async () => {
    const response = await fetch(`${await serve()}/trpc/admin`, {
      headers: { authorization: `Bearer ${await sign()}` },
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="requires the scopes: admin", scope="admin"',
    )
    expect(await response.json()).toMatchObject({
      error: { data: { code: 'FORBIDDEN', authCode: 'insufficient_scope' } },
    })
  })

  it("leaves a resolver's other errors as they are: a 500, no challenge", async () => {
    const response = await fetch(`${await serve()}/trpc/broken`, {
      headers: { authorization: `Bearer ${await sign()}` },
    })
    expect(response.status).toBe(500)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toMatchObject({
      error: { data: { code: 'INTERNAL_SERVER_ERROR', authCode: null } },
    })
  })
})
