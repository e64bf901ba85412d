import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { makeAuth, serveStandalone, sign } from './support/fixtures.js'
import { type AppRouter, createApp } from './support/router.js'

async function start() {
  const { router, createContext } = createApp(makeAuth())
  const url = await serveStandalone(router, createContext)
  const client = (token?: string) =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${url}/trpc`,
          headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        }),
      ],
    })
  return { url, client }
}

/** The TRPCClientError a call rejects with. */
async function failure(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await call.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(TRPCClientError)
  return error as TRPCClientError<AppRouter>
}

describe('protectedProcedure', () => {
  it('gives the resolver a non-null identity with typed claims', async () => {
    const { client } = await start()
    expect(await client(await sign()).me.query()).toEqual({ subject: 'alice', tenant: 'acme', db: 'the-db' })
  })

  it('answers UNAUTHORIZED (401, token_missing) without a token', async () => {
    const { url, client } = await start()
    const error = await failure(client().me.query())
    expect(error.data).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, authCode: 'token_missing' })

    const response = await fetch(`${url}/trpc/me`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"')
  })

  it('answers FORBIDDEN (403, insufficient_scope) with the missing scope in WWW-Authenticate', async () => {
    const { url, client } = await start()
    const token = await sign({ scope: 'write:other' })
    const error = await failure(client(token).reports.query())
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, authCode: 'insufficient_scope' })

    const response = await fetch(`${url}/trpc/reports`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="requires the scopes: read:reports", scope="read:reports"',
    )
  })

  it('answers FORBIDDEN (403, forbidden) when a role is missing, and runs the mutation when present', async () => {
    const { client } = await start()
    const error = await failure(client(await sign()).admin.mutate())
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, authCode: 'forbidden' })
    expect(await client(await sign({ roles: ['admin'] })).admin.mutate()).toBe('done')
  })
})

describe('publicProcedure', () => {
  it('sees identity null without a token and the identity with one', async () => {
    const { client } = await start()
    expect(await client().search.query()).toBe('anonymous')
    expect(await client(await sign()).search.query()).toBe('alice')
  })

  it('answers UNAUTHORIZED (401, token_expired) to an expired token instead of treating it as anonymous', async () => {
    const { url, client } = await start()
    const token = await sign({ exp: Math.floor(Date.now() / 1000) - 60 })
    const error = await failure(client(token).search.query())
    expect(error.data).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401, authCode: 'token_expired' })
    expect(error.message).not.toContain(token.slice(0, 20))

    const response = await fetch(`${url}/trpc/search`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_token"/)
    expect(await response.text()).not.toContain(token.slice(0, 20))
  })

  it('treats a broken token as anonymous only with invalidToken: anonymous', async () => {
    const { router, createContext } = createApp(makeAuth(), { invalidToken: 'anonymous' })
    const url = await serveStandalone(router, createContext)
    const response = await fetch(`${url}/trpc/search`, { headers: { authorization: 'Bearer not.a.jwt' } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ result: { data: 'anonymous' } })
  })

  it('enforces roles declared in meta, any of them with mode any', async () => {
    const { client } = await start()
    expect((await failure(client().audit.query())).data).toMatchObject({ httpStatus: 401 })
    expect((await failure(client(await sign()).audit.query())).data).toMatchObject({
      httpStatus: 403,
      authCode: 'forbidden',
    })
    expect(await client(await sign({ roles: ['auditor'] })).audit.query()).toBe('log')
  })
})

describe('a batch', () => {
  it('answers each call on its own: allowed calls succeed, forbidden ones get 403, as a 207', async () => {
    const { url, client } = await start()
    const token = await sign()
    const api = client(token)
    const [me, reports, admin, search] = await Promise.allSettled([
      api.me.query(),
      api.reports.query(),
      api.admin.mutate(),
      api.search.query(),
    ])
    expect(me).toMatchObject({ status: 'fulfilled', value: { subject: 'alice' } })
    expect(reports).toMatchObject({ status: 'fulfilled', value: ['q1', 'q2'] })
    expect(admin).toMatchObject({ status: 'rejected', reason: { data: { httpStatus: 403 } } })
    expect(search).toMatchObject({ status: 'fulfilled', value: 'alice' })

    const response = await fetch(`${url}/trpc/me,audit,search?batch=1&input=${encodeURIComponent('{}')}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(207)
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    const body = (await response.json()) as Array<{
      result?: unknown
      error?: { data: { authCode: string } }
    }>
    expect(body.map((item) => item.error?.data.authCode ?? 'ok')).toEqual(['ok', 'forbidden', 'ok'])
  })
})
