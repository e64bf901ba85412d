export type { AuthenticateOptions, AuthResult } from './authenticate.js'
export type { CacheOptions } from './cache.js'
export type { Auth, ClaimsOf } from './create-auth.js'
export { createAuth } from './create-auth.js'
export type { DpopNonceOptions, DpopOptions } from './dpop/options.js'
export type { Environment, FromEnvOptions } from './env.js'
export { authFromEnv, ENV_VARIABLES, sessionsFromEnv } from './env.js'
export type { AuthErrorCode, AuthErrorOptions, AuthErrorStatus, DpopChallenge } from './errors.js'
export { AuthError, bearerErrorOf, isAuthError, withChallenge, wwwAuthenticate } from './errors.js'
export type { AuthHealth, IssuerHealth } from './health.js'
export type { DefaultClaims, Identity, RoleOptions, ScopeOptions, TokenSource } from './identity.js'
export { rolesOf, scopesOf } from './identity.js'
export type { Duration } from './internal/duration.js'
export { toSeconds } from './internal/duration.js'
export type { HeaderReader, NodeRequestLike, RequestLike, WrappedRequestLike } from './internal/headers.js'
export { headerReader } from './internal/headers.js'
export type { PrivateKeyJwt } from './introspection/client-auth.js'
export type { IntrospectionEndpointOptions, IntrospectionOptions } from './introspection/options.js'
export { discoverJwksUri } from './keys/discovery.js'
export type { JwksEvent, JwksOptions, RemoteKeySet, RemoteKeySetOptions } from './keys/jwks.js'
export { createRemoteKeySet } from './keys/jwks.js'
export type { Algorithm, KeyInput, KeyObjectLike, SecretInput } from './keys/key.js'
export type {
  AuthEvent,
  AuthOptions,
  CommonOptions,
  IssuerOptions,
  KeyMaterial,
  SessionsOption,
  VerificationOptions,
} from './options.js'
export type { Renewal, RenewBeforeExpiryOptions } from './renewal/renew-before-expiry.js'
export { renewBeforeExpiry } from './renewal/renew-before-expiry.js'
export type { RenewalOutcome } from './renewal/verify-renewal.js'
export { verifyRenewal } from './renewal/verify-renewal.js'
export type { ProtectedResourceMetadata, ProtectedResourceOptions } from './resource-metadata.js'
export { resourceMetadataUrl } from './resource-metadata.js'
export type { ResourceMetadataAnswer } from './resource-metadata-response.js'
export { resourceMetadataAnswer, resourceMetadataResponse } from './resource-metadata-response.js'
export type { RevokedHook } from './revocation.js'
export { hasRoles, requireRoles } from './roles.js'
export type { RuleAccess, RuleEntry, RuleOrigin, RuleRequirement, RuleSet } from './rules.js'
export { accessOf, RULES_VERSION } from './rules.js'
export type { MatchOptions } from './scopes.js'
export { hasScopes, matches, requireScopes } from './scopes.js'
export type { SessionCookieOptions } from './sessions/cookies.js'
export { createSessions } from './sessions/create-sessions.js'
export type {
  IssuedSession,
  LogoutResult,
  SessionInput,
  SessionKeyOptions,
  Sessions,
  SessionsOptions,
} from './sessions/options.js'
export type { PrivateKeyInput } from './sessions/session-keys.js'
export type { Slot } from './slot.js'
export { createSlot } from './slot.js'
export { bearer } from './sources/bearer.js'
export { cookie, readCookie } from './sources/cookie.js'
export type { TokenReader } from './sources/source.js'
export type { StandardSchemaV1 } from './standard-schema.js'
export type { DenyList, DenyListEntry, DenyListOptions } from './stores/deny-list.js'
export { denyList } from './stores/deny-list.js'
export type { MemoryStoreOptions } from './stores/memory.js'
export { memoryStore } from './stores/memory.js'
export type { Store } from './stores/store.js'
