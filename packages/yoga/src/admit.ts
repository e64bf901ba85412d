import type { AuthError } from '@portcullis/core'
import type { GraphQLError, GraphQLSchema } from 'graphql'
import { demandsOf, TOO_LARGE } from './check.js'
import { decide, type RequestState } from './decide.js'
import { toGraphQLError, tooLarge } from './errors.js'
import { type Plan, type Requirement, resolveChecks } from './plan.js'

/** What Envelop hands `onExecute` and `onSubscribe` about the operation. */
export interface OperationArgs {
  schema: GraphQLSchema
  document: Parameters<typeof demandsOf>[1]
  operationName?: string | null
  variableValues?: Readonly<Record<string, unknown>> | null
}

/**
 * Admission of one operation: errors that stop it, or undefined when it may run (registering its
 * resolve-time checks on the context).
 *
 * @example
 * const errors = admit(state, args, context, 'reject')
 * if (errors) setResultAndStopExecution({ errors })
 */
export type Admit<Claims> = (
  state: RequestState<Claims>,
  args: OperationArgs,
  context: object,
  mode: 'reject' | 'null',
) => GraphQLError[] | undefined

/**
 * The admission of operations against a schema's plan: the rules a document selects are decided
 * before it executes; in `'null'` mode (and for fields a static check cannot decide) they are
 * decided where the field resolves, once per requirement and operation however many items a list
 * holds.
 *
 * @example
 * const admit = createAdmit(planOf, (error) => auth.challenge(error))
 */
export function createAdmit<Claims>(
  planOf: (schema: GraphQLSchema) => Plan,
  challenge: (error: AuthError) => AuthError,
): Admit<Claims> {
  return (state, args, context, mode) => {
    if (state.rejection) return [toGraphQLError(state.rejection, { http: true })]
    const plan = planOf(args.schema)
    const demands = demandsOf(plan, args.document, args.operationName, args.variableValues)
    if (demands === TOO_LARGE) return [tooLarge()]
    let errors: GraphQLError[] | undefined
    for (const demand of demands) {
      const error = decide(state, demand.requirement)
      // In 'null' mode fields are nulled where they resolve; only introspection, which has no
      // resolver to wrap, is decided here.
      const field = demand.node.name.value
      if (!error || (mode === 'null' && field !== '__schema' && field !== '__type')) continue
      errors ??= []
      errors.push(toGraphQLError(challenge(error), { http: true, path: demand.path, nodes: demand.node }))
    }
    if (errors !== undefined) return errors
    if (plan.atResolve.size > 0) resolveChecks.set(context, resolveCheck(state, plan.atResolve))
    return undefined
  }
}

/**
 * The check a guarded field runs as it resolves. A 1,000-item list resolves each guarded field
 * 1,000 times: the identity and the rules are the same each time, so the verdict of the last
 * requirement is reused (fields that share rules share one interned requirement), and only a denial
 * builds an error per item, since each nulled item reports its own path.
 */
function resolveCheck<Claims>(
  state: RequestState<Claims>,
  atResolve: ReadonlyMap<unknown, Requirement>,
): (field: unknown) => void {
  let last: Requirement | undefined
  let verdict: AuthError | null = null
  return (field) => {
    const requirement = atResolve.get(field)
    if (requirement === undefined) return
    if (requirement !== last) {
      verdict = decide(state, requirement)
      last = requirement
    }
    if (verdict) throw toGraphQLError(verdict, { http: false })
  }
}
