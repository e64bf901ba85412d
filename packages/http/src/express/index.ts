import type { RequestIdentity } from '../register.js'

export type { McpAuthInfo, McpAuthOptions } from './mcp.js'
export { mcpIdentity, requireMcpAuth } from './mcp.js'
export type { NextFunction, NodeMiddleware } from './middleware.js'
export { authMiddleware, requireAuth } from './middleware.js'
export { resourceMetadata } from './resource-metadata.js'

declare global {
  // Express types its request through this global namespace; `identity` is set by authMiddleware.
  namespace Express {
    interface Request {
      /** Who made the request (from `authMiddleware`), or `null` without credentials. */
      identity: RequestIdentity
    }
  }
}
