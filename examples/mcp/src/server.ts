// examples/mcp/src/server.ts
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { bearer, createAuth } from '@portcullis/core'
import { authMiddleware, mcpIdentity, requireMcpAuth, resourceMetadata } from '@portcullis/http/express'
import type { Express } from 'express'
import { z } from 'zod'

/** The MCP server's tools; each sees who called it in `extra.authInfo` (the SDK's `AuthInfo`). */
function reportsServer(): McpServer {
  const server = new McpServer({ name: 'reports', version: '1.0.0' })
  server.registerTool('whoami', { description: 'Who the access token is about' }, (extra) => {
    const identity = mcpIdentity(extra.authInfo) // core's Identity, typed
    const who = {
      subject: identity?.subject,
      clientId: extra.authInfo?.clientId,
      scopes: extra.authInfo?.scopes,
    }
    return { content: [{ type: 'text', text: JSON.stringify(who) }] }
  })
  server.registerTool(
    'delete_report',
    { description: 'Deletes a report (needs reports:write)', inputSchema: { id: z.string() } },
    ({ id }) => ({ content: [{ type: 'text', text: `deleted report ${id}` }] }),
  )
  return server
}

/**
 * An MCP server (streamable HTTP, stateless) at `<resource>`, for tokens of `issuer` issued to it:
 * RFC 9728 metadata at `/.well-known/oauth-protected-resource/mcp`, 401 without a token, 403 for a
 * tool whose scope the token lacks.
 *
 * @example
 * createServer(mcpApp({ issuer: 'https://id.example.com', resource: 'https://mcp.example.com/mcp' })).listen(3000)
 */
export function mcpApp(options: { issuer: string; resource: string }): Express {
  const auth = createAuth({
    issuer: options.issuer, // its keys are found by OIDC discovery
    audience: options.resource, // only tokens issued for this server (RFC 8707 resource indicators)
    tokenType: 'at+jwt', // RFC 9068 access tokens, never ID tokens
    sources: [bearer()], // MCP sends tokens in the Authorization header, never in cookies
    resource: { resource: options.resource, scopesSupported: ['reports:read', 'reports:write'] },
  })
  // The SDK's Express app: express.json(), and only requests for this server's host name (DNS rebinding)
  const app = createMcpExpressApp({ allowedHosts: [new URL(options.resource).hostname] })
  app.use(resourceMetadata(auth)) // GET /.well-known/oauth-protected-resource/mcp, public
  const guard = requireMcpAuth({ scopes: ['reports:read'], toolScopes: { delete_report: ['reports:write'] } })
  app.post('/mcp', authMiddleware(auth), guard, async (req, res) => {
    // Stateless: a server and a transport per request; req.auth (set by the guard) reaches the tools.
    const server = reportsServer()
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    res.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    await transport.handleRequest(req, res, req.body)
  })
  // A stateless server has no SSE stream to open (GET) and no session to end (DELETE).
  app.all('/mcp', (_req, res) => {
    res
      .status(405)
      .set('allow', 'POST')
      .json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed' }, id: null })
  })
  return app
}
