import { createServer } from 'node:http'
import { createAuth } from '@portcullis/core'
import { authMiddleware, requireAuth, resourceMetadata } from '@portcullis/http/express'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { audience, issuer, listen, secret, sign } from '../support/fixtures.js'

const auth = createAuth({
  issuer,
  audience,
  secret,
  realm: 'api',
  resource: { resource: 'https://api.example.com/mcp', scopesSupported: ['read:reports'] },
})
const metadata = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'

async function start() {
  const app = express()
  app.use(resourceMetadata(auth))
  app.use(authMiddleware(auth))
  app.post('/mcp', requireAuth({ scopes: ['read:reports'] }), (_req, res) => res.json('called'))
  app.post('/admin', requireAuth({ roles: ['admin'] }), (_req, res) => res.json('admin'))
  return listen(createServer(app))
}

describe('resourceMetadata (Express)', () => {
  it('serves the RFC 9728 document at the well-known path of the resource', async () => {
    const base = await start()
    const response = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      resource: 'https://api.example.com/mcp',
      authorization_servers: [issuer],
      scopes_supported: ['read:reports'],
      bearer_methods_supported: ['header'],
    })
  })

  it('challenges a call without a token with resource_metadata, and lets a token through', async () => {
    const base = await start()
    const anonymous = await fetch(`${base}/mcp`, { method: 'POST' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", resource_metadata="${metadata}"`,
    )
    const bad = await fetch(`${base}/mcp`, { method: 'POST', headers: { authorization: 'Bearer a.b.c' } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`)
    const called = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sign()}` },
    })
    expect(called.status).toBe(200)
  })

  it('names the metadata in a 403 too, so a client can find the scopes to ask for', async () => {
    const base = await start()
    const denied = await fetch(`${base}/admin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sign()}` },
    })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${metadata}"`)
  })

  it('refuses a verifier without the resource option at construction', () => {
    expect(() => resourceMetadata(createAuth({ issuer, audience, secret }))).toThrow(TypeError)
  })
})
