import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { useAuth, useResourceMetadata } from '@portcullis/yoga'
import { createYoga } from 'graphql-yoga'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, issuer, makeSchema, secret, sign } from './fixtures.js'

const auth = createAuth({
  issuer,
  audience,
  secret,
  resource: { resource: 'https://api.example.com/graphql', scopesSupported: ['read:reports'] },
})
const metadata = 'https://api.example.com/.well-known/oauth-protected-resource/graphql'

const serve = () =>
  createYoga({
    schema: makeSchema(),
    plugins: [useResourceMetadata({ auth }), useAuth({ auth })],
    logging: false,
  })

const query = (yoga: ReturnType<typeof serve>, body: string, token?: string) =>
  yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: body }),
  })

describe('useResourceMetadata with GraphQL Yoga', () => {
  it('serves the RFC 9728 document beside the GraphQL endpoint, over a real server', async () => {
    const server = createServer(serve())
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
    const { port } = server.address() as AddressInfo
    const response = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/graphql`)
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual({
      resource: 'https://api.example.com/graphql',
      authorization_servers: [issuer],
      scopes_supported: ['read:reports'],
      bearer_methods_supported: ['header'],
    })
  })

  it('challenges an @auth field without a token with resource_metadata', async () => {
    const response = await query(serve(), '{ me { id } }')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadata}"`)
  })

  it('challenges a bad token and a missing scope with it too', async () => {
    const bad = await query(serve(), '{ me { id } }', 'a.b.c')
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`)
    const denied = await query(serve(), '{ reports { id } }', await sign())
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`)
  })

  it('leaves GraphQL requests and other paths to Yoga', async () => {
    const yoga = serve()
    expect((await query(yoga, '{ health }')).status).toBe(200)
    expect((await yoga.fetch('http://localhost/.well-known/oauth-protected-resource')).status).toBe(404)
  })

  it('refuses a verifier without the resource option', () => {
    expect(() => useResourceMetadata({ auth: createAuth({ issuer, audience, secret }) })).toThrow(TypeError)
  })
})
