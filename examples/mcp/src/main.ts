import { clients } from './authorization-server.js'
import { startDev } from './dev.js'

// pnpm --filter @portcullis/example-mcp start. PORT (3000) for the MCP server; ISSUER for a real
// authorization server instead of the development one (on PORT + 1).
const port = Number(process.env.PORT ?? 3000)
const dev = await startDev({
  port,
  issuerPort: port + 1,
  ...(process.env.ISSUER ? { issuer: process.env.ISSUER } : {}),
})
const origin = new URL(dev.resource).origin
const { clientId, clientSecret } = clients.reader
console.log(`MCP server running at ${dev.resource}
  metadata:              ${origin}/.well-known/oauth-protected-resource/mcp
  authorization server:  ${dev.issuer}

  curl -i -X POST ${dev.resource}     # 401, WWW-Authenticate: Bearer resource_metadata="..."
  curl -s -u ${clientId}:${clientSecret} -d grant_type=client_credentials \\
    -d scope=reports:read -d resource=${dev.resource} ${dev.issuer}/token   # a token for it`)

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void dev.close().then(() => process.exit(0))
  })
