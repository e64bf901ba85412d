import type { Auth, Identity } from '@portcullis/core'
import { withAuth } from '@portcullis/http/next'
import { NextRequest } from 'next/server.js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { describeConformance, direct } from '../support/conformance.js'
import { makeAuth, sessionSetup, sign } from '../support/fixtures.js'

type Context = { params: Promise<Record<string, string>> }

/** The App Router's call: a `NextRequest` and `{ params }`, as Next passes them to a route handler. */
function router(routes: Record<string, (request: NextRequest, context: Context) => Promise<Response>>) {
  return direct((request) => {
    const route = routes[new URL(request.url).pathname]
    if (!route) return new Response(null, { status: 404 })
    return route(new NextRequest(request), { params: Promise.resolve({}) })
  })
}

function routes<Claims>(auth: Auth<Claims>) {
  return router({
    '/me': withAuth(auth, (_request, { identity }) =>
      Response.json({ subject: identity.subject, tenant: (identity.claims as { tenant?: string }).tenant }),
    ),
    '/reports': withAuth(auth, () => Response.json('reports'), { scopes: ['read:reports'] }),
    '/write': withAuth(auth, () => Response.json('written'), { scopes: ['write:reports'] }),
    '/admin': withAuth(auth, () => Response.json('admin'), { roles: ['admin'] }),
    '/audit': withAuth(auth, () => Response.json('audit'), { roles: ['auditor', 'admin'], mode: 'any' }),
  })
}

describeConformance('Next.js route handlers (withAuth)', async (auth) => routes(auth), {
  publicRoutes: false,
})

describe('withAuth specifics', () => {
  it("gives the handler Next's context and the identity typed from the verifier's claims", async () => {
    const GET = withAuth(makeAuth(), async (request, { identity, params }) => {
      expectTypeOf(request).toEqualTypeOf<NextRequest>()
      expectTypeOf(identity).toEqualTypeOf<Identity<{ sub: string; tenant: string }>>()
      return Response.json({
        tenant: identity.claims.tenant,
        params: await params,
        path: request.nextUrl.pathname,
      })
    })
    const request = new NextRequest('http://127.0.0.1/api/reports/7', {
      headers: { authorization: `Bearer ${await sign()}` },
    })
    const response = await GET(request, { params: Promise.resolve({ id: '7' }) })
    expect(await response.json()).toEqual({ tenant: 'acme', params: { id: '7' }, path: '/api/reports/7' })
  })

  it("adds a refresh's Set-Cookie to a redirect, whose headers are immutable", async () => {
    const setup = await sessionSetup()
    const GET = withAuth(setup.auth, () => Response.redirect('http://127.0.0.1/home', 303))
    setup.clock.advance(6 * 60_000)
    const response = await GET(
      new NextRequest('http://127.0.0.1/go', { headers: { cookie: setup.cookie } }),
      {
        params: Promise.resolve({}),
      },
    )
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('http://127.0.0.1/home')
    expect(response.headers.getSetCookie()).toHaveLength(2)
  })

  it('never calls the handler for a rejected request', async () => {
    let calls = 0
    const GET = withAuth(makeAuth(), () => {
      calls++
      return new Response('secret')
    })
    await GET(new NextRequest('http://127.0.0.1/'), { params: Promise.resolve({}) })
    await GET(new NextRequest('http://127.0.0.1/', { headers: { authorization: 'Bearer x.y.z' } }), {
      params: Promise.resolve({}),
    })
    expect(calls).toBe(0)
  })

  it('checks its arguments when the route is declared', () => {
    expect(() => withAuth({} as Auth, () => new Response())).toThrow(
      new TypeError('"auth" must be made by createAuth from @portcullis/core'),
    )
    expect(() => withAuth(makeAuth(), undefined as never)).toThrow(
      new TypeError('"handler" must be a route handler function'),
    )
    expect(() => withAuth(makeAuth(), () => new Response(), { roles: [''] })).toThrow(
      new TypeError('"roles" must be an array of non-empty strings'),
    )
  })
})
