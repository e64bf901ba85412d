import type { DefaultClaims, Identity } from '@portcullis/core'

/**
 * Declares the claims type of `req.identity` and `request.identity`, whose frameworks type the
 * request once for the whole app (Express, Fastify). Hono and Next take it from `auth` instead.
 *
 * @example
 * declare module '@portcullis/http' {
 *   interface Register {
 *     claims: { sub: string; tenant: string }
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging is the point
export interface Register {}

/**
 * The claims type declared through {@link Register}, or core's `DefaultClaims`.
 *
 * @example
 * const claims: RegisteredClaims = req.identity!.claims
 */
export type RegisteredClaims = Register extends { claims: infer Claims } ? Claims : DefaultClaims

/**
 * The identity on a request: who made it, or `null` when it carried no credentials.
 *
 * @example
 * const identity: RequestIdentity = req.identity
 */
export type RequestIdentity = Identity<RegisteredClaims> | null
