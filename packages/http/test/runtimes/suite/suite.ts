// The checks every runtime runs on its own: Hono's middleware and Next's helpers, on this runtime's
// Fetch API, WebCrypto and timers only. Tokens are signed here, so no network is needed.
import { createAuth, createSessions, memoryStore } from '@portcullis/core'
import { Hono } from 'hono'
import { SignJWT } from 'jose'
import { NextRequest } from 'next/server.js'
import { authMiddleware as honoAuth, requireAuth as honoGuard } from '../../../src/hono/index.js'
import { authMiddleware as nextMiddleware, withAuth } from '../../../src/next/index.js'

/** One line of the suite's answer: a check that passed, or why it did not. */
export interface CheckResult {
  readonly name: string
  readonly ok: boolean
  readonly detail?: string
}

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const seconds = () => Math.floor(Date.now() / 1000)

function sign(payload: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    exp: seconds() + 300,
    scope: 'read:reports',
    roles: ['user'],
    ...payload,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret))
}

function expect(actual: unknown, wanted: unknown, what: string): void {
  const [a, b] = [JSON.stringify(actual), JSON.stringify(wanted)]
  if (a !== b) throw new Error(`${what}: expected ${b}, got ${a}`)
}

/** Core's cookie sessions on a clock the suite moves, signed in as alice. */
async function sessionSetup() {
  let now = Date.now()
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: audience,
    audience,
    accessTtl: '5m',
    store: memoryStore(),
    now: () => now,
  })
  const issued = await sessions.issue({ subject: 'alice', scopes: ['read:reports'] })
  const cookie = issued.setCookie.map((line) => line.split(';', 1)[0]).join('; ')
  return { auth: createAuth({ sessions }), cookie, expireAccess: () => (now += 6 * 60_000) }
}

const cookieNames = (response: Response) =>
  response.headers.getSetCookie().map((line) => line.split('=', 1)[0])

/** Runs every check and reports each one; a failing check never stops the others. */
export async function runSuite(): Promise<CheckResult[]> {
  const auth = createAuth({ issuer, audience, secret, realm: 'api' })
  const bearer = async (payload?: Record<string, unknown>) => ({
    authorization: `Bearer ${await sign(payload)}`,
  })
  const hono = new Hono()
    .use(honoAuth(auth))
    .get('/me', (c) => c.json({ subject: c.var.identity?.subject ?? null }))
    .get('/reports', honoGuard({ scopes: ['read:reports'] }), (c) =>
      c.json({ subject: c.var.identity.subject }),
    )
  const call = (path: string, init?: RequestInit) => hono.fetch(new Request(`http://edge.test${path}`, init))
  const route = withAuth(auth, (_request, { identity }) => Response.json({ subject: identity.subject }), {
    scopes: ['read:reports'],
  })
  const context = { params: Promise.resolve({}) }
  const next = (headers: HeadersInit = {}) => new NextRequest('http://edge.test/api/reports', { headers })

  const checks: [string, () => Promise<void>][] = [
    [
      'hono: an anonymous request reaches a public route with a null identity',
      async () => {
        expect(await (await call('/me')).json(), { subject: null }, '/me')
      },
    ],
    [
      'hono: a valid bearer passes the scope guard',
      async () => {
        const response = await call('/reports', { headers: await bearer() })
        expect([response.status, await response.json()], [200, { subject: 'alice' }], 'answer')
      },
    ],
    [
      'hono: no credentials on a guarded route is 401 with a Bearer challenge',
      async () => {
        const response = await call('/reports')
        expect(
          [response.status, response.headers.get('www-authenticate')],
          [401, 'Bearer realm="api"'],
          'answer',
        )
      },
    ],
    [
      'hono: a missing scope is 403 insufficient_scope',
      async () => {
        const response = await call('/reports', { headers: await bearer({ scope: 'other' }) })
        expect(
          [response.status, ((await response.json()) as { error: string }).error],
          [403, 'insufficient_scope'],
          'answer',
        )
      },
    ],
    [
      'hono: an expired token is 401 invalid_token',
      async () => {
        const response = await call('/me', { headers: await bearer({ exp: seconds() - 600 }) })
        expect(response.status, 401, 'status')
        expect(response.headers.get('www-authenticate')?.includes('error="invalid_token"'), true, 'challenge')
      },
    ],
    [
      'hono: two Authorization headers are token_ambiguous',
      async () => {
        const headers = new Headers([
          ['authorization', (await bearer()).authorization],
          ['authorization', (await bearer({ sub: 'mallory' })).authorization],
        ])
        const response = await call('/me', { headers })
        expect(((await response.json()) as { error: string }).error, 'token_ambiguous', 'code')
      },
    ],
    [
      'hono: a session past its access cookie is refreshed and Set-Cookie reaches the client',
      async () => {
        const setup = await sessionSetup()
        const app = new Hono()
          .use(honoAuth(setup.auth))
          .get('/me', (c) => c.json({ subject: c.var.identity?.subject ?? null }))
        setup.expireAccess()
        const response = await app.fetch(
          new Request('http://edge.test/me', { headers: { cookie: setup.cookie } }),
        )
        expect([response.status, await response.json()], [200, { subject: 'alice' }], 'answer')
        expect(cookieNames(response), ['__Host-session', '__Host-session-refresh'], 'Set-Cookie')
      },
    ],
    [
      'next withAuth: a NextRequest with a valid bearer reaches the handler with its identity',
      async () => {
        const response = await route(next(await bearer()), context)
        expect([response.status, await response.json()], [200, { subject: 'alice' }], 'answer')
      },
    ],
    [
      'next withAuth: 401 without credentials, 403 without the scope',
      async () => {
        expect((await route(next(), context)).status, 401, 'anonymous')
        expect((await route(next(await bearer({ scope: 'other' })), context)).status, 403, 'lacking')
      },
    ],
    [
      'next authMiddleware: a non-admin is 403 forbidden, an admin goes on',
      async () => {
        const middleware = nextMiddleware(auth, { roles: ['admin'] })
        const denied = await middleware(next(await bearer()))
        expect(
          [denied.status, ((await denied.json()) as { error: string }).error],
          [403, 'forbidden'],
          'user',
        )
        const admitted = await middleware(next(await bearer({ roles: ['admin'] })))
        expect(admitted.headers.get('x-middleware-next'), '1', 'admin')
      },
    ],
    [
      'next authMiddleware: a refresh sends Set-Cookie and hands the route the new cookies',
      async () => {
        const setup = await sessionSetup()
        setup.expireAccess()
        const response = await nextMiddleware(setup.auth)(next({ cookie: setup.cookie }))
        expect(response.headers.get('x-middleware-next'), '1', 'passes')
        expect(cookieNames(response), ['__Host-session', '__Host-session-refresh'], 'Set-Cookie')
        const forwarded = response.headers.get('x-middleware-request-cookie') ?? ''
        const result = await setup.auth.authenticate({ cookie: forwarded })
        expect(
          [result.status, result.setCookie],
          ['authenticated', undefined],
          'the route reads the new cookies',
        )
      },
    ],
  ]
  const results: CheckResult[] = []
  for (const [name, run] of checks)
    try {
      await run()
      results.push({ name, ok: true })
    } catch (error) {
      results.push({ name, ok: false, detail: error instanceof Error ? error.message : String(error) })
    }
  return results
}
