import { request as httpRequest } from 'node:http'
import { type Auth, AuthError, type AuthErrorCode } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { expired, makeAuth, names, sessionSetup, sign } from './fixtures.js'

/** Header values; an array sends one header line per item. */
export type SendHeaders = Record<string, string | string[]>

/** Sends one request to the app under test. */
export type Send = (path: string, headers?: SendHeaders) => Promise<Response>

/**
 * Starts the app under test with these routes, all behind the framework's middleware for `auth`:
 * - `GET /me`: public; answers `{ subject, tenant }` from the identity, or `"anonymous"`
 * - `GET /reports`: `requireAuth({ scopes: ['read:reports'] })`, answers `"reports"`
 * - `GET /write`: `requireAuth({ scopes: ['write:reports'] })`, answers `"written"`
 * - `GET /admin`: `requireAuth({ roles: ['admin'] })`, answers `"admin"`
 * - `GET /audit`: `requireAuth({ roles: ['auditor', 'admin'], mode: 'any' })`, answers `"audit"`
 */
export type Start = (auth: Auth<unknown>) => Promise<Send>

/** The status core gives a code (so these tests follow core when it moves a code, e.g. to 400). */
const statusOf = (code: AuthErrorCode) => new AuthError(code, '').status

/** Sends through Node's http client, which can send a header twice; real `fetch` everywhere else. */
export function loopback(base: string): Send {
  return (path, headers = {}) => {
    if (!Object.values(headers).some(Array.isArray))
      return fetch(`${base}${path}`, { headers: headers as Record<string, string> })
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${base}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const out = new Headers()
          for (const [name, value] of Object.entries(res.headers))
            for (const item of Array.isArray(value) ? value : [value ?? '']) out.append(name, item)
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: out }))
        })
      })
      req.on('error', reject)
      req.end()
    })
  }
}

/** Sends a Fetch `Request` straight to a fetch handler (Hono's `app.fetch`, a Next route). */
export function direct(handler: (request: Request) => Response | Promise<Response>): Send {
  return async (path, headers = {}) => {
    const out = new Headers()
    for (const [name, value] of Object.entries(headers))
      for (const item of Array.isArray(value) ? value : [value]) out.append(name, item)
    return handler(new Request(`http://127.0.0.1${path}`, { headers: out }))
  }
}

/** The behaviour every framework's middleware and guard share, over real requests. */
export function describeConformance(
  framework: string,
  start: Start,
  { publicRoutes = true }: { publicRoutes?: boolean } = {},
): void {
  describe(`${framework}: what every framework's middleware does`, () => {
    const bearer = async (payload?: Record<string, unknown>) => ({
      authorization: `Bearer ${await sign(payload)}`,
    })

    it.runIf(publicRoutes)(
      'lets an anonymous request through to a public route with a null identity',
      async () => {
        const send = await start(makeAuth())
        const response = await send('/me')
        expect(response.status).toBe(200)
        expect(await response.json()).toBe('anonymous')
        expect(response.headers.getSetCookie()).toEqual([])
      },
    )

    it.runIf(!publicRoutes)('answers an anonymous request with 401 token_missing', async () => {
      const send = await start(makeAuth())
      const response = await send('/me')
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"')
      expect(await response.json()).toMatchObject({ error: 'token_missing' })
    })

    it("puts a valid bearer token's identity on the request", async () => {
      const send = await start(makeAuth())
      const response = await send('/me', await bearer())
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ subject: 'alice', tenant: 'acme' })
      const reports = await send('/reports', await bearer())
      expect(await reports.json()).toBe('reports')
    })

    it('answers a guarded route without credentials with 401, a bare challenge and token_missing', async () => {
      const send = await start(makeAuth())
      const response = await send('/reports')
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.json()).toEqual({ error: 'token_missing', message: 'authentication is required' })
    })

    it('answers an expired token with 401 invalid_token, on a public route too', async () => {
      const send = await start(makeAuth())
      const token = await expired()
      const response = await send('/me', { authorization: `Bearer ${token}` })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/,
      )
      const body = await response.json()
      expect(body).toMatchObject({ error: 'token_expired' })
      // The answer never echoes the credential.
      expect(JSON.stringify(body) + response.headers.get('www-authenticate')).not.toContain(token)
    })

    it('answers a missing scope with 403 insufficient_scope naming the scope', async () => {
      const send = await start(makeAuth())
      const response = await send('/write', await bearer())
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer realm="api", error="insufficient_scope", error_description="requires the scopes: write:reports", scope="write:reports"',
      )
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope' })
    })

    it('answers a missing role with 403 forbidden, and lets the role through', async () => {
      const send = await start(makeAuth())
      const response = await send('/admin', await bearer())
      expect(response.status).toBe(403)
      expect(await response.json()).toMatchObject({ error: 'forbidden' })
      expect((await send('/admin', await bearer({ roles: ['admin'] }))).status).toBe(200)
    })

    it("needs one of the roles with mode 'any'", async () => {
      const send = await start(makeAuth())
      expect((await send('/audit', await bearer({ roles: ['auditor'] }))).status).toBe(200)
      expect((await send('/audit', await bearer({ roles: ['user'] }))).status).toBe(403)
    })

    it('rejects two Authorization headers as token_ambiguous, whichever comes first', async () => {
      const send = await start(makeAuth())
      const valid = (await bearer()).authorization
      for (const pair of [
        [valid, 'Bearer forged'],
        ['Bearer forged', valid],
      ]) {
        const response = await send('/me', { authorization: pair })
        expect(response.status).toBe(statusOf('token_ambiguous'))
        expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
        expect(await response.json()).toMatchObject({ error: 'token_ambiguous' })
      }
    })

    it('rejects a malformed Authorization header as token_malformed with invalid_request', async () => {
      const send = await start(makeAuth())
      const response = await send('/me', { authorization: 'Bearer not a token!' })
      // RFC 6750 3.1 (issue 11): a malformed request is 400, whatever the code's usual status.
      expect(response.status).toBe(400)
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
      expect(await response.json()).toMatchObject({ error: 'token_malformed' })
    })

    it("forwards a refreshed session's Set-Cookie, and the new cookies work without another refresh", async () => {
      const setup = await sessionSetup()
      const send = await start(setup.auth)
      setup.clock.advance(6 * 60_000) // the 5-minute access cookie has expired
      const refreshed = await send('/me', { cookie: setup.cookie })
      expect(refreshed.status).toBe(200)
      expect(await refreshed.json()).toMatchObject({ subject: 'alice' })
      const setCookie = refreshed.headers.getSetCookie()
      expect(names(setCookie)).toEqual(['__Host-session', '__Host-session-refresh'])

      const next = await send('/reports', {
        cookie: setCookie.map((line) => line.split(';', 1)[0]).join('; '),
      })
      expect(next.status).toBe(200)
      expect(await next.json()).toBe('reports')
      expect(next.headers.getSetCookie()).toEqual([])
    })

    it('rejects a second, different session cookie in another Cookie header as token_ambiguous', async () => {
      const setup = await sessionSetup()
      const send = await start(setup.auth)
      const session = setup.cookie.split('; ').find((pair) => pair.startsWith('__Host-session='))!
      const response = await send('/me', { cookie: [session, '__Host-session=tossed.by.a-sibling'] })
      expect(response.status).toBe(statusOf('token_ambiguous'))
      expect(await response.json()).toMatchObject({ error: 'token_ambiguous' })
    })

    it('clears the cookies of a revoked session with its 401', async () => {
      const setup = await sessionSetup()
      const send = await start(setup.auth)
      await setup.sessions.revoke(setup.sessionId)
      const response = await send('/me', { cookie: setup.cookie })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: 'revoked' })
      const cleared = response.headers.getSetCookie()
      expect(names(cleared)).toEqual(['__Host-session', '__Host-session-refresh'])
      expect(cleared.every((line) => /Max-Age=0/i.test(line))).toBe(true)
    })

    it('answers 503 store_unavailable without a challenge while the session store is down', async () => {
      const setup = await sessionSetup()
      const send = await start(setup.auth)
      setup.store.down = true
      const response = await send('/me', { cookie: setup.cookie })
      expect(response.status).toBe(503)
      expect(response.headers.get('www-authenticate')).toBeNull()
      const body = await response.json()
      expect(body).toEqual({ error: 'store_unavailable', message: expect.any(String) })
      expect(JSON.stringify(body)).not.toContain('ECONNREFUSED')
      // The process keeps serving: the store comes back, so does the session.
      setup.store.down = false
      expect((await send('/me', { cookie: setup.cookie })).status).toBe(200)
    })
  })
}
