import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { authMiddleware, requireAuth } from '@portcullis/http/express'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, issuer, listen, secret } from '../support/fixtures.js'

/** A loopback introspection endpoint: active for "good-opaque-token", inactive for anything else. */
async function introspectionEndpoint(): Promise<string> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token')
      const exp = Math.floor(Date.now() / 1000) + 300
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify(
          token === 'good-opaque-token'
            ? { active: true, iss: issuer, aud: audience, sub: 'alice', scope: 'read:reports', exp }
            : { active: false },
        ),
      )
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`
}

async function start(endpoint: string) {
  const auth = createAuth({
    issuer,
    audience,
    secret,
    introspection: { endpoint, clientId: 'api', clientSecret: 'the-client-secret' },
  })
  const app = express()
  app.use(authMiddleware(auth))
  app.get('/reports', requireAuth({ scopes: ['read:reports'] }), (req, res) =>
    res.json(req.identity?.subject),
  )
  return listen(createServer(app))
}

const get = (url: string, token: string) =>
  fetch(`${url}/reports`, { headers: { authorization: `Bearer ${token}` } })

describe('opaque tokens through Express (core introspects, the adapter passes it through)', () => {
  it('lets an active opaque token through with its identity', async () => {
    const url = await start(await introspectionEndpoint())
    const response = await get(url, 'good-opaque-token')
    expect(response.status).toBe(200)
    expect(await response.json()).toBe('alice')
  })

  it('answers an inactive one 401 token_inactive with an invalid_token challenge', async () => {
    const url = await start(await introspectionEndpoint())
    const response = await get(url, 'revoked-opaque-token')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(await response.json()).toMatchObject({ error: 'token_inactive' })
  })

  it('answers 503 without a challenge when the endpoint is down, never a 401', async () => {
    const url = await start('http://127.0.0.1:1/introspect')
    const response = await get(url, 'good-opaque-token')
    expect(response.status).toBe(503)
    expect(response.headers.get('www-authenticate')).toBeNull()
    const body = await response.text()
    expect(body).toContain('introspection_unavailable')
    expect(body).not.toContain('good-opaque-token')
  })
})
