// The error every rejection is, in the steps it is built from: the code table, the class, the challenge.
export type { AuthErrorOptions } from './errors/auth-error.js'
export { AuthError, isAuthError } from './errors/auth-error.js'
export type { DpopChallenge } from './errors/challenge.js'
export { bearerErrorOf, wwwAuthenticate } from './errors/challenge.js'
export type { AuthErrorCode, AuthErrorStatus } from './errors/codes.js'
export { withChallenge } from './errors/with-challenge.js'
