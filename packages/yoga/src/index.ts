export type { AuthExtension } from './directives.js'
export { authDirectiveTypeDefs } from './directives.js'
export type { AuthErrorExtensionCode, AuthErrorExtensions } from './errors.js'
export { toGraphQLError } from './errors.js'
export type { UseAuthOptions } from './options.js'
export type { AuthContext, AuthPlugin, SocketConnection } from './plugin.js'
export { useAuth } from './plugin.js'
export type { RenewalPong } from './renewal.js'
export { RENEWAL_MISMATCH_CLOSE_CODE, renewOnPing } from './renewal.js'
export type {
  GraphQLWSRenewal,
  GraphQLWSRenewalClientOptions,
  GraphQLWSRenewalOptions,
} from './renewal-client.js'
export { renewOverGraphQLWS } from './renewal-client.js'
export type { ResourceMetadataPlugin } from './resource-metadata.js'
export { useResourceMetadata } from './resource-metadata.js'
export type { DescribeRulesOptions } from './rules.js'
export { describeRules } from './rules.js'
