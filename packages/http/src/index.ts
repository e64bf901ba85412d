export type { ErrorBody } from './internal/answer.js'
export type { Register, RegisteredClaims, RequestIdentity } from './register.js'
export type { RequireAuthOptions, Rule } from './rule.js'
export { accessError, normalizeRule } from './rule.js'
