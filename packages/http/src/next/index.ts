export type { NextMiddlewareOptions } from './middleware.js'
export { authMiddleware } from './middleware.js'
export type { AuthedRouteHandler, RouteContext } from './with-auth.js'
export { withAuth } from './with-auth.js'
