/**
 * The MCP recipe end to end, all on loopback: a real authorization server (oidc-provider, client
 * credentials, RFC 9068 JWT access tokens for RFC 8707 resources), the example's MCP server, and the
 * MCP SDK's own client, whose auth machinery finds the authorization server from the 401 alone.
 */
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
} from '@modelcontextprotocol/sdk/client/auth.js'
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { McpAuthInfo } from '@portcullis/http/express'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, onTestFinished } from 'vitest'
import { type AuthorizationServer, clients, startAuthorizationServer } from '../src/authorization-server.js'
import { mcpApp } from '../src/server.js'

const other = 'https://other.example.com/mcp'
const server = createServer()
let as: AuthorizationServer
let base: string
let resource: string
let statuses: number[] = []

beforeAll(async () => {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  resource = `${base}/mcp`
  as = await startAuthorizationServer({ resources: [resource, other] })
  const app = mcpApp({ issuer: as.issuer, resource })
  server.on('request', (req, res) => {
    if (req.url === '/mcp') res.on('finish', () => statuses.push(res.statusCode))
    app(req, res)
  })
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((done) => server.close(done))
  await as.close()
})

/** A token straight from the authorization server's token endpoint. */
async function token(client: (typeof clients)[keyof typeof clients], audience: string, scope: string) {
  const response = await fetch(`${as.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${client.clientId}:${client.clientSecret}`)}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: audience }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

/** The SDK's client over streamable HTTP, closed after the test. */
async function connect(options: ConstructorParameters<typeof StreamableHTTPClientTransport>[1]) {
  const client = new Client({ name: 'test-agent', version: '1.0.0' })
  onTestFinished(() => client.close())
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), options))
  return client
}

const agent = (client: (typeof clients)[keyof typeof clients], scope: string = client.scope) =>
  new ClientCredentialsProvider({ ...client, scope, expectedIssuer: as.issuer })

const rpc = (method: string, params: object = {}) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(resource, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body,
  })
const metadataUrl = () => `${base}/.well-known/oauth-protected-resource/mcp`

describe('an MCP server protected by Portcullis', () => {
  it('publishes its RFC 9728 metadata at the well-known path plus the endpoint path (§3.1)', async () => {
    const response = await fetch(metadataUrl())
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      resource,
      authorization_servers: [as.issuer],
      scopes_supported: ['reports:read', 'reports:write'],
      bearer_methods_supported: ['header'],
    })
  })

  it('answers a call without a token 401, with a challenge the SDK follows to the authorization server', async () => {
    const response = await post(rpc('tools/list'))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl()}"`)
    expect(await response.json()).toEqual({ error: 'token_missing', message: 'authentication is required' })
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(response)
    expect(resourceMetadataUrl?.href).toBe(metadataUrl())
    const metadata = await discoverOAuthProtectedResourceMetadata(resource, { resourceMetadataUrl })
    expect(metadata.authorization_servers).toEqual([as.issuer])
    const server = await discoverAuthorizationServerMetadata(metadata.authorization_servers![0]!)
    expect(server?.token_endpoint).toBe(`${as.issuer}/token`)
  })

  it("lets the SDK's client in after its auth flow: 401, discovery, a token, then listTools and callTool", async () => {
    statuses = []
    const client = await connect({ authProvider: agent(clients.reader) })
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual(['whoami', 'delete_report'])
    const result = await client.callTool({ name: 'whoami' })
    // The verified identity reached the tool handler: the SDK's AuthInfo and core's Identity.
    expect(JSON.parse((result.content as [{ text: string }])[0].text)).toEqual({
      subject: clients.reader.clientId,
      clientId: clients.reader.clientId,
      scopes: ['reports:read'],
    })
    expect(statuses[0]).toBe(401) // the client started without a token
    expectTypeOf<McpAuthInfo>().toExtend<AuthInfo>() // req.auth is what the SDK's transport reads
    expect(statuses.slice(1).every((status) => status === 200 || status === 202 || status === 405)).toBe(true)
  })

  it('refuses the SDK client without a token or an auth provider', async () => {
    await expect(connect({})).rejects.toMatchObject({ code: 401 })
  })

  it('refuses a valid token of the same authorization server issued for another resource', async () => {
    const foreign = await token(clients.reader, other, 'reports:read')
    const response = await post(rpc('tools/list'), { authorization: `Bearer ${foreign}` })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(await response.json()).toMatchObject({ error: 'claim_invalid' })
    await expect(
      connect({ requestInit: { headers: { authorization: `Bearer ${foreign}` } } }),
    ).rejects.toMatchObject({
      code: 401,
    })
  })

  it("answers a tool call without the tool's scope 403 insufficient_scope, naming every scope it needs", async () => {
    const reader = await token(clients.reader, resource, 'reports:read')
    const response = await post(rpc('tools/call', { name: 'delete_report', arguments: { id: 'q1' } }), {
      authorization: `Bearer ${reader}`,
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadataUrl()}", error="insufficient_scope", error_description="requires the scopes: reports:read reports:write", scope="reports:read reports:write"`,
    )
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' })
    // The SDK's client fetches a token again on the 403 (it asks for its configured scope), and stops
    // at the second 403; tools that need no more than it holds still work.
    const client = await connect({ authProvider: agent(clients.reader) })
    await expect(client.callTool({ name: 'delete_report', arguments: { id: 'q1' } })).rejects.toMatchObject({
      code: 403,
    })
    expect((await client.callTool({ name: 'whoami' })).isError).toBeFalsy()
  })

  it('checks every message of a JSON-RPC batch', async () => {
    const reader = await token(clients.reader, resource, 'reports:read')
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'delete_report', arguments: { id: 'q1' } },
      },
    ])
    const response = await post(batch, { authorization: `Bearer ${reader}` })
    expect(response.status).toBe(403)
  })

  it("lets a client holding the tool's scope call it", async () => {
    const client = await connect({ authProvider: agent(clients.editor) })
    const result = await client.callTool({ name: 'delete_report', arguments: { id: 'q1' } })
    expect(result.content).toEqual([{ type: 'text', text: 'deleted report q1' }])
  })

  it('answers a malformed Authorization header 400 invalid_request, not 401', async () => {
    const response = await post(rpc('tools/list'), { authorization: 'Bearer two tokens' })
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
    expect(await response.json()).toMatchObject({ error: 'token_malformed' })
  })
  it('refuses a request naming another host (DNS rebinding), before reading its token', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(resource, { method: 'POST', headers: { host: 'attacker.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      req.end(rpc('tools/list'))
    })
    expect(status).toBe(403)
  })
})
