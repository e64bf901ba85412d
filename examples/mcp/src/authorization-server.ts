import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { errors } from 'oidc-provider'

/**
 * A development OAuth authorization server (panva's `oidc-provider`) on loopback: the client
 * credentials grant issues RFC 9068 JWT access tokens whose audience is the RFC 8707 `resource` the
 * client names. In production, your IdP (Auth0, Okta, Keycloak, Entra ID, ...) takes its place.
 *
 * @example
 * const as = await startAuthorizationServer({ resources: ['http://127.0.0.1:3000/mcp'] })
 * console.log(as.issuer) // http://127.0.0.1:<port>
 * await as.close()
 */
export interface AuthorizationServer {
  /** The issuer identifier, also the base of its discovery documents. */
  readonly issuer: string
  /** Stops the server and its connections. */
  close(): Promise<void>
}

/**
 * Clients registered with the development server: what each may ask for.
 *
 * @example
 * new ClientCredentialsProvider({ ...clients.reader, expectedIssuer: as.issuer }) // the MCP SDK's machine client
 */
export const clients = {
  /** An agent that may list reports, not delete them. */
  reader: {
    clientId: 'report-reader',
    clientSecret: 'a-dev-client-secret-on-loopback-only',
    scope: 'reports:read',
  },
  /** An agent that may do both. */
  editor: {
    clientId: 'report-editor',
    clientSecret: 'another-dev-client-secret-on-loopback',
    scope: 'reports:read reports:write',
  },
} as const

/**
 * Starts the development authorization server on 127.0.0.1 (`port` 0: any free port). `resources`
 * lists the resource identifiers it issues tokens for; a token request naming another is refused.
 *
 * @example
 * const as = await startAuthorizationServer({ resources: ['http://127.0.0.1:3000/mcp'], port: 4000 })
 */
export async function startAuthorizationServer(options: {
  resources: readonly string[]
  port?: number
}): Promise<AuthorizationServer> {
  const server = createServer()
  server.listen(options.port ?? 0, '127.0.0.1')
  await once(server, 'listening')
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    cookies: { keys: ['a-cookie-signing-key-for-the-dev-server'] },
    clients: Object.values(clients).map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: client.scope,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    scopes: ['reports:read', 'reports:write'],
    ttl: { ClientCredentials: () => 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A client must name the resource (the MCP client does, RFC 8707); there is no default.
        defaultResource: () => [],
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (!options.resources.includes(resource)) throw new errors.InvalidTarget()
          return {
            scope: 'reports:read reports:write',
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
          }
        },
      },
    },
  })
  // The dev server's keys are generated at start; oidc-provider warns about that, once, on stdout.
  server.on('request', provider.callback())
  return {
    issuer,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
