import { createServer } from 'node:http'
import { createAuth } from '@portcullis/core'
import type { RequestIdentity } from '@portcullis/http'
import {
  authMiddleware,
  type McpAuthInfo,
  mcpIdentity,
  requireMcpAuth,
  resourceMetadata,
} from '@portcullis/http/express'
import express, { type Express } from 'express'
import { generateKeyPair, SignJWT } from 'jose'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { audience, issuer, listen, secret, sessionSetup, sign } from '../support/fixtures.js'

const resource = 'https://api.example.com/mcp'
const metadata = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
const auth = createAuth({ issuer, audience: [audience, resource], secret, resource: { resource } })

/** An app like the MCP recipe's; its "transport" answers with what reached it. */
async function start(options: Parameters<typeof requireMcpAuth>[0], verifier = auth, json = true) {
  const app: Express = express()
  if (json) app.use(express.json())
  if (verifier.resourceMetadataPath) app.use(resourceMetadata(verifier))
  app.post('/mcp', authMiddleware(verifier), requireMcpAuth(options), (req, res) => {
    const info = (req as typeof req & { auth: McpAuthInfo }).auth
    res.json({ info, subject: mcpIdentity(info)?.subject ?? null })
  })
  return listen(createServer(app))
}

const call = (name: string, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name } })
async function post(base: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}
const bearer = async (payload?: Record<string, unknown>) => ({
  authorization: `Bearer ${await sign({ aud: resource, client_id: 'agent-7', ...payload })}`,
})

describe('requireMcpAuth', () => {
  it('puts the verified token on req.auth in the shape of the MCP SDK AuthInfo', async () => {
    const base = await start({})
    const headers = await bearer({ scope: 'read:reports tools:call', roles: ['user'], exp: 2_000_000_000 })
    const response = await post(base, call('whoami'), headers)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      info: {
        token: headers.authorization.slice('Bearer '.length),
        clientId: 'agent-7',
        scopes: ['read:reports', 'tools:call'],
        expiresAt: 2_000_000_000,
        resource, // JSON of the URL
        extra: { subject: 'alice', issuer, audience: [resource], roles: ['user'] },
      },
      subject: 'alice',
    })
  })

  it('takes clientId from azp without client_id, else leaves it empty', async () => {
    const base = await start({})
    const azp = await post(base, call('x'), await bearer({ client_id: undefined, azp: 'spa' }))
    expect((await azp.json()).info.clientId).toBe('spa')
    const none = await post(base, call('x'), await bearer({ client_id: undefined }))
    expect((await none.json()).info.clientId).toBe('')
  })

  it('leaves resource out when the token was issued to another of the accepted audiences', async () => {
    const base = await start({})
    const response = await post(base, call('x'), await bearer({ aud: audience }))
    expect((await response.json()).info).not.toHaveProperty('resource')
  })

  it('answers without a token 401 with resource_metadata, and never reaches the transport', async () => {
    const base = await start({})
    const response = await post(base, call('whoami'))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadata}"`)
    expect(await response.json()).toEqual({ error: 'token_missing', message: 'authentication is required' })
  })

  it('answers a tools/call without the tool scopes 403, naming the endpoint scopes and the tool scopes', async () => {
    const base = await start({ scopes: ['read:reports'], toolScopes: { delete_report: ['write:reports'] } })
    const headers = await bearer()
    const denied = await post(base, call('delete_report'), headers)
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadata}", error="insufficient_scope", error_description="requires the scopes: read:reports write:reports", scope="read:reports write:reports"`,
    )
    expect(await denied.json()).toMatchObject({ error: 'insufficient_scope' })
    expect((await post(base, call('list_reports'), headers)).status).toBe(200)
    const writer = await bearer({ scope: 'read:reports write:reports' })
    expect((await post(base, call('delete_report'), writer)).status).toBe(200)
  })

  it('checks the endpoint scopes on every request, tools/list included', async () => {
    const base = await start({ scopes: ['tools:use'] })
    const response = await post(base, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, await bearer())
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('scope="tools:use"')
  })

  it('checks every message of a JSON-RPC batch, wherever the guarded call sits', async () => {
    const base = await start({ toolScopes: { delete_report: ['write:reports'] } })
    const batch = [
      call('list_reports', 1),
      { jsonrpc: '2.0', method: 'notifications/x' },
      call('delete_report', 2),
    ]
    expect((await post(base, batch, await bearer())).status).toBe(403)
  })

  it('finds nothing of Object.prototype in toolScopes: "constructor" and "__proto__" are plain tool names', async () => {
    const toolScopes = JSON.parse('{"__proto__": ["admin"], "constructor": ["admin"]}')
    const base = await start({ toolScopes })
    const headers = await bearer()
    expect((await post(base, call('__proto__'), headers)).status).toBe(403)
    expect((await post(base, call('constructor'), headers)).status).toBe(403)
    expect((await post(base, call('toString'), headers)).status).toBe(200)
  })

  it('fails closed on a body express.json() did not parse: the transport would parse it past the checks', async () => {
    const base = await start({ toolScopes: { delete_report: ['write:reports'] } }, auth, false)
    const response = await post(base, call('delete_report'), await bearer())
    expect(response.status).toBe(415)
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } })
  })

  it('refuses an identity from a session cookie: MCP credentials travel in the Authorization header', async () => {
    const { sessions, cookie } = await sessionSetup()
    const base = await start({}, createAuth({ sessions, resource: { resource } }))
    const response = await post(base, call('whoami'), { cookie })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadata}"`)
    expect(await response.json()).toEqual({
      error: 'token_missing',
      message: 'MCP requests need a bearer token',
    })
  })

  it('answers a malformed Authorization header 400 and an expired token 401, from authMiddleware', async () => {
    const base = await start({})
    const malformed = await post(base, call('x'), { authorization: 'Bearer a b' })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: 'token_malformed' })
    const expired = await post(base, call('x'), await bearer({ exp: 1000, iat: 900 }))
    expect(expired.status).toBe(401)
    expect(await expired.json()).toMatchObject({ error: 'token_expired' })
  })

  it('answers an unreachable key set 503 without a challenge, not the 401 that would re-prompt the user', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const unreachable = createAuth({ issuer, audience: resource, jwks: 'http://127.0.0.1:9/jwks.json' })
    const token = await new SignJWT({ sub: 'alice', aud: resource, iss: issuer })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(privateKey)
    const base = await start({}, unreachable)
    const response = await post(base, call('x'), { authorization: `Bearer ${token}` })
    expect(response.status).toBe(503)
    expect(response.headers.get('www-authenticate')).toBeNull()
    const body = await response.text()
    expect(body).toContain('jwks_unavailable')
    expect(body).not.toContain(token)
  })

  it('fails the request (500) when authMiddleware did not run before it', async () => {
    const app = express()
    app.post('/mcp', express.json(), requireMcpAuth(), (_req, res) => res.json('reached'))
    const base = await listen(createServer(app))
    const response = await post(base, call('x'), await bearer())
    expect(response.status).toBe(500)
  })

  it('checks its options at construction, naming the one at fault', () => {
    expect(() => requireMcpAuth({ toolScopes: [] as never })).toThrow(
      '"toolScopes" must be an object of tool name -> scopes',
    )
    expect(() => requireMcpAuth({ toolScopes: { delete_report: 'write' as never } })).toThrow(
      '"toolScopes.delete_report" must be a non-empty array of non-empty strings',
    )
    expect(() => requireMcpAuth({ toolScopes: { delete_report: [] } })).toThrow('"toolScopes.delete_report"')
    expect(() => requireMcpAuth({ scopes: 'x' as never })).toThrow('"scopes" must be an array')
  })
})

describe('mcpIdentity', () => {
  it('returns null for auth info it did not make, however it looks', () => {
    const forged: McpAuthInfo = {
      token: 't',
      clientId: 'c',
      scopes: ['admin'],
      extra: { subject: 'root', issuer, audience: [], roles: [] },
    }
    expect(mcpIdentity(forged)).toBeNull()
    expect(mcpIdentity(undefined)).toBeNull()
    expectTypeOf(mcpIdentity(forged)).toEqualTypeOf<RequestIdentity>()
  })
})
