import {
  AuthError,
  hasRoles,
  hasScopes,
  type Identity,
  type RequestLike,
  requireRoles,
  requireScopes,
} from '@portcullis/core'
import type { Rule } from './directives.js'
import type { Requirement } from './plan.js'

/**
 * What one request proved, shared by every operation of a batch.
 *
 * @example
 * const state: RequestState<DefaultClaims> = { request, key: request, identity, rejection: undefined, denials: undefined }
 */
export interface RequestState<Claims> {
  /** Where the credentials were read; a running subscription verifies them again. */
  readonly request: RequestLike | undefined
  /** What the state is kept under: the HTTP request, or the context for a socket's operation. */
  readonly key: object
  readonly identity: Identity<Claims> | null
  /** The error that stops every operation: an invalid token (unless opted out) or a 503. */
  readonly rejection: AuthError | undefined
  /** Requirement -> its denial, memoized per request; made on the first denial. */
  denials: Map<Requirement, AuthError> | undefined
}

/** Runs a core `require*` check, turning its throw into the denial. */
function attempt(check: () => void): AuthError | null {
  try {
    check()
    return null
  } catch (error) {
    if (error instanceof AuthError) return error
    throw error
  }
}

/** Whether the identity holds one rule: core's own matching, with no error built. */
function holds(identity: Identity<unknown>, { roles, scopes, mode }: Rule): boolean {
  // ANY: one listed role or one listed scope is enough.
  if (mode === 'any')
    return (
      roles.length + scopes.length === 0 ||
      (roles.length > 0 && hasRoles(identity, roles, { mode })) ||
      (scopes.length > 0 && hasScopes(identity, scopes, { mode }))
    )
  return hasScopes(identity, scopes) && hasRoles(identity, roles)
}

function allows(identity: Identity<unknown> | null, requirement: Requirement): boolean {
  if (identity === null) return false
  for (const rule of requirement) if (!holds(identity, rule)) return false
  return true
}

/** The first rule of a requirement the identity fails, as core's error; null when all hold. */
function denial(identity: Identity<unknown> | null, requirement: Requirement): AuthError | null {
  for (const rule of requirement) {
    if (identity === null) return new AuthError('token_missing', 'authentication is required')
    if (holds(identity, rule)) continue
    // Core builds the errors, so codes, statuses and challenges match every other adapter.
    const { roles, scopes, mode } = rule
    const error =
      mode === 'any'
        ? attempt(() =>
            scopes.length > 0
              ? requireScopes(identity, scopes, { mode })
              : requireRoles(identity, roles, { mode }),
          )
        : (attempt(() => requireScopes(identity, scopes)) ?? attempt(() => requireRoles(identity, roles)))
    if (error) return error
  }
  return null
}

/**
 * The denial of a requirement, or null. A requirement that holds costs a few comparisons; a denial
 * (an error with its stack) is built once per request and requirement.
 *
 * @example
 * const error = decide(state, plan.requirementOf(type, 'salary')!)
 * if (error) throw toGraphQLError(error, { http: false })
 */
export function decide<Claims>(state: RequestState<Claims>, requirement: Requirement): AuthError | null {
  if (allows(state.identity, requirement)) return null
  state.denials ??= new Map()
  let error = state.denials.get(requirement)
  if (error === undefined) {
    error = denial(state.identity, requirement) ?? undefined
    if (error) state.denials.set(requirement, error)
  }
  return error ?? null
}
