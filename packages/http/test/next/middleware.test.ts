import { authMiddleware } from '@portcullis/http/next'
import { NextRequest } from 'next/server.js'
import { describe, expect, it } from 'vitest'
import { makeAuth, names, sessionSetup, sign } from '../support/fixtures.js'

const request = (headers: Record<string, string> = {}) =>
  new NextRequest('http://127.0.0.1/api/reports', { headers })

/** Whether Next would go on to the route (what `NextResponse.next()` marks). */
const passes = (response: Response) => response.headers.get('x-middleware-next') === '1'

describe('authMiddleware for middleware.ts', () => {
  it('lets a request with the scopes through to the route', async () => {
    const middleware = authMiddleware(makeAuth(), { scopes: ['read:reports'] })
    const response = await middleware(request({ authorization: `Bearer ${await sign()}` }))
    expect(passes(response)).toBe(true)
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('answers 401 with a challenge without credentials, and 403 insufficient_scope without the scope', async () => {
    const middleware = authMiddleware(makeAuth(), { scopes: ['write:reports'] })
    const anonymous = await middleware(request())
    expect(anonymous.status).toBe(401)
    expect(passes(anonymous)).toBe(false)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await anonymous.json()).toMatchObject({ error: 'token_missing' })

    const lacking = await middleware(request({ authorization: `Bearer ${await sign()}` }))
    expect(lacking.status).toBe(403)
    expect(lacking.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect(await lacking.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('rejects two Authorization headers, which a Fetch Request joins with a comma', async () => {
    const headers = new Headers()
    headers.append('authorization', `Bearer ${await sign()}`)
    headers.append('authorization', 'Bearer forged')
    const response = await authMiddleware(makeAuth())(new NextRequest('http://127.0.0.1/', { headers }))
    expect(passes(response)).toBe(false)
    expect(await response.json()).toMatchObject({ error: 'token_ambiguous' })
  })

  it('after a refresh, sends Set-Cookie and hands the route the new cookies, so it does not refresh again', async () => {
    const setup = await sessionSetup()
    setup.clock.advance(6 * 60_000)
    const response = await authMiddleware(setup.auth)(request({ cookie: `theme=dark; ${setup.cookie}` }))
    expect(passes(response)).toBe(true)
    const setCookie = response.headers.getSetCookie()
    expect(names(setCookie)).toEqual(['__Host-session', '__Host-session-refresh'])
    // What NextResponse.next({ request: { headers } }) tells Next to give the route.
    expect(response.headers.get('x-middleware-override-headers')).toContain('cookie')
    const forwarded = response.headers.get('x-middleware-request-cookie')!
    expect(forwarded).toBe(`theme=dark; ${setCookie.map((line) => line.split(';', 1)[0]).join('; ')}`)
    // The route's own check accepts those cookies without a second refresh (which would be refresh_reused).
    const result = await setup.auth.authenticate({ cookie: forwarded })
    expect(result).toMatchObject({ status: 'authenticated' })
    expect(result.setCookie).toBeUndefined()
  })

  it('answers 503 without a challenge while the session store is down', async () => {
    const setup = await sessionSetup()
    setup.store.down = true
    const response = await authMiddleware(setup.auth)(request({ cookie: setup.cookie }))
    expect(response.status).toBe(503)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toMatchObject({ error: 'store_unavailable' })
  })

  it("answers with onAuthorized's response when it gives one, the refresh's cookies added", async () => {
    const setup = await sessionSetup()
    setup.clock.advance(6 * 60_000)
    const middleware = authMiddleware(setup.auth, {
      onAuthorized: (req, identity) =>
        identity.subject === 'alice' ? Response.redirect(new URL('/welcome', req.url), 307) : undefined,
    })
    const response = await middleware(request({ cookie: setup.cookie }))
    expect(response.status).toBe(307)
    expect(names(response.headers.getSetCookie())).toEqual(['__Host-session', '__Host-session-refresh'])
  })

  it('checks its options when declared', () => {
    expect(() => authMiddleware(makeAuth(), { onAuthorized: 'yes' as never })).toThrow(
      new TypeError('"onAuthorized" must be a function'),
    )
    expect(() => authMiddleware(makeAuth(), { mode: 'most' as never })).toThrow(
      new TypeError('"mode" must be "all" or "any"'),
    )
  })
})
