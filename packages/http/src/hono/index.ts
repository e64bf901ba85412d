export type { AuthEnv, GuardedEnv } from './middleware.js'
export { authMiddleware, requireAuth } from './middleware.js'
