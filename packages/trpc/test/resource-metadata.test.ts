import { createServer } from 'node:http'
import { createAuth, resourceMetadataAnswer } from '@portcullis/core'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { describe, expect, it } from 'vitest'
import { audience, claims, issuer, listen, secret, sign } from './support/fixtures.js'
import { createApp } from './support/router.js'
import { type Served, serveExpress, serveFetch, serveNode } from './support/servers.js'

const auth = createAuth({
  issuer,
  audience,
  secret,
  claims,
  realm: 'api',
  resource: { resource: 'https://api.example.com/trpc' },
})
const metadata = 'https://api.example.com/.well-known/oauth-protected-resource/trpc'

const adapters: Array<[string, (app: Served) => Promise<string>]> = [
  ['fetch', serveFetch],
  ['standalone', serveNode],
  ['express', serveExpress],
]

describe.each(adapters)('resource_metadata through the %s adapter', (_name, serve) => {
  it('is in the 401 challenge of a protected procedure called without credentials', async () => {
    const url = await serve(createApp(auth))
    const response = await fetch(`${url}/trpc/me`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", resource_metadata="${metadata}"`,
    )
  })

  it('is in the 401 of a bad token and the 403 of a missing scope', async () => {
    const url = await serve(createApp(auth))
    const bad = await fetch(`${url}/trpc/me`, { headers: { authorization: 'Bearer a.b.c' } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`)
    const token = await sign({ scope: '' })
    const denied = await fetch(`${url}/trpc/reports`, { headers: { authorization: `Bearer ${token}` } })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`)
  })
})

describe('serving the metadata beside tRPC (README recipe)', () => {
  it('routes the well-known path to core before the tRPC handler', async () => {
    const { router, createContext } = createApp(auth)
    const trpc = createHTTPHandler({ router, createContext, basePath: '/trpc/' })
    const url = await listen(
      createServer((req, res) => {
        const answer = resourceMetadataAnswer(auth, req.method, new URL(req.url ?? '/', 'http://x').pathname)
        if (answer) return void res.writeHead(answer.status, answer.headers).end(answer.body)
        trpc(req, res)
      }),
    )
    const response = await fetch(`${url}/.well-known/oauth-protected-resource/trpc`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      resource: 'https://api.example.com/trpc',
      authorization_servers: [issuer],
      bearer_methods_supported: ['header'],
    })
    expect((await fetch(`${url}/trpc/search`)).status).toBe(200)
  })
})
