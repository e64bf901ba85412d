import { type AuthMeta, authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from '@trpc/client'
import { initTRPC } from '@trpc/server'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { makeAuth, serveStandalone, sign } from '../support/fixtures.js'
import { serveWebSocket } from '../support/servers.js'

// tRPC merges meta shallowly, so `adminProcedure.meta({ auth: { scopes: ['read'] } })` replaced the
// earlier `roles: ['admin']`: any holder of `read` got in. Every declaration on the chain now holds.
function createApp() {
  const createContext = createAuthContext(makeAuth())
  const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create({
    errorFormatter: authErrorFormatter,
  })
  const { protectedProcedure, publicProcedure, requireScopes } = createAuthProcedures(t)
  const adminProcedure = protectedProcedure.meta({ auth: { roles: ['admin'] } })
  const router = t.router({
    adminRead: adminProcedure.meta({ auth: { scopes: ['read'] } }).query(() => 'admin data'),
    // A later layer with mode 'any' applies to its own lists only, not to the admin role.
    adminEither: adminProcedure.meta({ auth: { scopes: ['a', 'b'], mode: 'any' } }).query(() => 'either'),
    // concat keeps the layers of both builders.
    combined: publicProcedure
      .meta({ auth: { roles: ['auditor'] } })
      .concat(t.procedure.meta({ auth: { scopes: ['audit'] } }))
      .query(() => 'combined'),
    // meta and middlewares add up too.
    guarded: adminProcedure
      .use(requireScopes(['write']))
      .meta({ auth: { scopes: ['read'] } })
      .query(() => 'ok'),
  })
  return { router, createContext }
}
type Router = ReturnType<typeof createApp>['router']

async function start() {
  const app = createApp()
  const url = await serveStandalone(app.router, app.createContext)
  return (claims: Record<string, unknown>) =>
    sign(claims).then((token) =>
      createTRPCClient<Router>({
        links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
      }),
    )
}

const forbidden = (call: Promise<unknown>) =>
  expect(call).rejects.toMatchObject({ data: { code: 'FORBIDDEN', httpStatus: 403 } })

describe('.meta({ auth }) layers add up over HTTP', () => {
  it('a later meta layer does not drop an earlier role', async () => {
    const client = await start()
    await forbidden((await client({ scope: 'read', roles: ['user'] })).adminRead.query())
    await forbidden((await client({ scope: '', roles: ['admin'] })).adminRead.query())
    expect(await (await client({ scope: 'read', roles: ['admin'] })).adminRead.query()).toBe('admin data')
  })

  it('each layer keeps its own mode', async () => {
    const client = await start()
    await forbidden((await client({ scope: 'b', roles: ['user'] })).adminEither.query())
    expect(await (await client({ scope: 'b', roles: ['admin'] })).adminEither.query()).toBe('either')
  })

  it('concat keeps the requirements of both builders', async () => {
    const client = await start()
    await forbidden((await client({ scope: 'audit', roles: ['user'] })).combined.query())
    await forbidden((await client({ scope: '', roles: ['auditor'] })).combined.query())
    expect(await (await client({ scope: 'audit', roles: ['auditor'] })).combined.query()).toBe('combined')
  })

  it('meta layers and requireScopes middlewares all hold', async () => {
    const client = await start()
    await forbidden((await client({ scope: 'read', roles: ['admin'] })).guarded.query())
    await forbidden((await client({ scope: 'write', roles: ['admin'] })).guarded.query())
    expect(await (await client({ scope: 'read write', roles: ['admin'] })).guarded.query()).toBe('ok')
  })
})

describe('.meta({ auth }) layers add up over a WebSocket', () => {
  it('a later meta layer does not drop an earlier role', async () => {
    const url = await serveWebSocket(createApp())
    const client = async (claims: Record<string, unknown>) => {
      const ws = createWSClient({
        url,
        WebSocket: WebSocket as never,
        connectionParams: { token: await sign(claims) },
      })
      onTestFinished(() => ws.close())
      return createTRPCClient<Router>({ links: [wsLink({ client: ws })] })
    }
    await expect((await client({ scope: 'read', roles: ['user'] })).adminRead.query()).rejects.toMatchObject({
      data: { code: 'FORBIDDEN', authCode: 'forbidden' },
    })
    expect(await (await client({ scope: 'read', roles: ['admin'] })).adminRead.query()).toBe('admin data')
  })
})

describe('unknown keys in meta.auth', () => {
  const t = initTRPC.context<ReturnType<typeof createAuthContext>>().meta<AuthMeta>().create()
  const { protectedProcedure } = createAuthProcedures(t)

  it('are a TypeError when the procedure is defined, never ignored', () => {
    // JavaScript has no excess-property check: `role` instead of `roles` would have required nothing.
    expect(() => protectedProcedure.meta({ auth: { role: ['admin'] } } as never)).toThrow(
      new TypeError('"meta.auth" has an unknown key "role" (known: scopes, roles, mode)'),
    )
    expect(() => protectedProcedure.meta({ auth: { roles: 'admin' } } as never)).toThrow(
      '"meta.auth.roles" must be an array of strings',
    )
  })

  it('in defaultMeta are a TypeError when the procedures are made', () => {
    const withDefault = initTRPC
      .context<ReturnType<typeof createAuthContext>>()
      .meta<AuthMeta>()
      .create({ defaultMeta: { auth: { scope: ['read'] } } as never })
    expect(() => createAuthProcedures(withDefault)).toThrow('"meta.auth" has an unknown key "scope"')
  })

  it('set where nothing recorded them are refused at the first call', async () => {
    const createContext = createAuthContext(makeAuth())
    const t2 = initTRPC.context<typeof createContext>().meta<AuthMeta>().create()
    const { protectedProcedure: p } = createAuthProcedures(t2)
    const router = t2.router({
      typo: t2.procedure
        .meta({ auth: { role: ['admin'] } } as never)
        .concat(p)
        .query(() => 'reached'),
    })
    const url = await serveStandalone(router, createContext)
    const response = await fetch(`${url}/trpc/typo`, { headers: { authorization: `Bearer ${await sign()}` } })
    expect(response.status).toBe(500)
    expect(JSON.stringify(await response.json())).not.toContain('reached')
  })
})
