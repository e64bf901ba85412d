import type { AuthResult } from '@portcullis/core'
import { AuthError } from '@portcullis/core'
import { createTRPCClient, httpBatchLink } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { type claims, makeAuth, sign } from './support/fixtures.js'
import { type App, type AppRouter, createApp } from './support/router.js'
import { serveExpress, serveFetch, serveNode } from './support/servers.js'

type Claims = z.output<typeof claims>
const refreshCookies = [
  '__session=renewed; Path=/; HttpOnly; Secure; SameSite=Lax',
  '__refresh=r2; Path=/auth; HttpOnly',
]

/**
 * Test-only stand-in for core's sessions until they land: a real verifier whose `authenticate`
 * result carries refresh cookies, as a transparent session refresh does.
 */
function withSetCookie(
  auth: ReturnType<typeof makeAuth>,
  decide?: (result: AuthResult<Claims>) => AuthResult<Claims>,
): ReturnType<typeof makeAuth> {
  return {
    ...auth,
    authenticate: async (request) => {
      const result = decide ? decide(await auth.authenticate(request)) : await auth.authenticate(request)
      return { ...result, setCookie: refreshCookies }
    },
  }
}

const adapters: Array<[string, (app: App) => Promise<string>]> = [
  ['fetch', serveFetch],
  ['standalone', serveNode],
  ['express', serveExpress],
]

describe.each(adapters)('the %s adapter', (_name, serve) => {
  it('authenticates a bearer token through @trpc/client', async () => {
    const url = await serve(createApp(makeAuth()))
    const token = await sign()
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
    })
    expect(await client.me.query()).toEqual({ subject: 'alice', tenant: 'acme', db: 'the-db' })
  })

  it('authenticates a session cookie', async () => {
    const url = await serve(createApp(makeAuth()))
    const response = await fetch(`${url}/trpc/me`, {
      headers: { cookie: `theme=dark; __session=${await sign()}` },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ result: { data: { subject: 'alice' } } })
  })

  it('answers 401 with a WWW-Authenticate challenge without credentials', async () => {
    const url = await serve(createApp(makeAuth()))
    const response = await fetch(`${url}/trpc/me`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await response.json()).toMatchObject({ error: { data: { authCode: 'token_missing' } } })
  })

  it('answers 401 to a token with a bad signature, even on a public procedure', async () => {
    const url = await serve(createApp(makeAuth()))
    const token = `${(await sign()).slice(0, -4)}AAAA`
    const response = await fetch(`${url}/trpc/search`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="signature verification failed"',
    )
    const body = await response.text()
    expect(body).toContain('"authCode":"signature_invalid"')
    expect(body).not.toContain(token.slice(0, 20))
  })

  it('answers 403 with insufficient_scope in WWW-Authenticate', async () => {
    const url = await serve(createApp(makeAuth()))
    const token = await sign({ scope: '' })
    const response = await fetch(`${url}/trpc/reports`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  })

  it('sends refresh cookies once on a batched response', async () => {
    const url = await serve(createApp(withSetCookie(makeAuth())))
    const response = await fetch(`${url}/trpc/me,search,reports?batch=1&input=${encodeURIComponent('{}')}`, {
      headers: { authorization: `Bearer ${await sign()}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.getSetCookie()).toEqual(refreshCookies)
  })

  it('sends refresh cookies on a streamed batch (httpBatchStreamLink)', async () => {
    const url = await serve(createApp(withSetCookie(makeAuth())))
    const response = await fetch(`${url}/trpc/me,search?batch=1&input=${encodeURIComponent('{}')}`, {
      headers: { authorization: `Bearer ${await sign()}`, 'trpc-accept': 'application/jsonl' },
    })
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(response.headers.getSetCookie()).toEqual(refreshCookies)
    expect(await response.text()).toContain('alice')
  })

  it('sends cookies that come with a rejection, such as a cleared session', async () => {
    const rejecting = withSetCookie(makeAuth(), () => ({
      status: 'rejected',
      error: new AuthError('revoked', 'session was revoked'),
    }))
    const url = await serve(createApp(rejecting))
    const response = await fetch(`${url}/trpc/search,me?batch=1&input=${encodeURIComponent('{}')}`)
    expect(response.status).toBe(401)
    expect(response.headers.getSetCookie()).toEqual(refreshCookies)
    expect(await response.json()).toMatchObject([
      { error: { data: { authCode: 'revoked' } } },
      { error: { data: { authCode: 'revoked' } } },
    ])
  })
})
