import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type AuthorizationServer, startAuthorizationServer } from './authorization-server.js'
import { mcpApp } from './server.js'

/**
 * The example running: the MCP server, and the development authorization server unless `issuer`
 * names a real one.
 *
 * @example
 * const dev = await startDev({ port: 0 })
 * console.log(dev.resource) // http://127.0.0.1:<port>/mcp
 * await dev.close()
 */
export interface Dev {
  /** The MCP endpoint, also its resource identifier. */
  readonly resource: string
  /** The authorization server's issuer identifier. */
  readonly issuer: string
  /** Stops both servers. */
  close(): Promise<void>
}

/**
 * Starts the MCP server on 127.0.0.1 at `port` (0: any free port) and, without `issuer`, the
 * development authorization server at `issuerPort`.
 *
 * @example
 * const dev = await startDev({ port: 3000, issuerPort: 3001 })
 */
export async function startDev(options: {
  port: number
  issuerPort?: number
  issuer?: string
}): Promise<Dev> {
  const server = createServer()
  server.listen(options.port, '127.0.0.1')
  await once(server, 'listening')
  const resource = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`
  let as: AuthorizationServer | undefined
  if (options.issuer === undefined)
    as = await startAuthorizationServer({ resources: [resource], port: options.issuerPort ?? 0 })
  const issuer = options.issuer ?? as!.issuer
  server.on('request', mcpApp({ issuer, resource }))
  return {
    resource,
    issuer,
    async close() {
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
      await as?.close()
    },
  }
}
