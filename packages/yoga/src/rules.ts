import { accessOf, RULES_VERSION, type RuleEntry, type RuleRequirement, type RuleSet } from '@portcullis/core'
import {
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isSchema,
  isUnionType,
  OperationTypeNode,
} from 'graphql'
import type { UseAuthOptions } from './options.js'
import { createPlan } from './plan.js'

/**
 * The plugin options that change what a schema requires; pass the ones `useAuth` gets.
 *
 * @example
 * const options: DescribeRulesOptions = { protectAll: true, onDeny: 'null' }
 */
export type DescribeRulesOptions = Pick<UseAuthOptions, 'protectAll' | 'onDeny'>

type Composite = GraphQLObjectType | GraphQLInterfaceType
const OPERATIONS = [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION]

/** Object and interface types reachable from the root types, through fields, interfaces and unions. */
function reachable(
  roots: readonly GraphQLObjectType[],
  possible: (type: GraphQLNamedType) => readonly GraphQLObjectType[],
) {
  const seen = new Set<Composite>()
  const queue: GraphQLNamedType[] = [...roots]
  // Bounded: each type enters `seen` once, and a schema has finitely many.
  while (queue.length > 0) {
    const type = queue.shift()!
    if (isUnionType(type)) {
      queue.push(...type.getTypes().filter((item) => !seen.has(item)))
      continue
    }
    if (!(isObjectType(type) || isInterfaceType(type)) || seen.has(type)) continue
    seen.add(type)
    if (isInterfaceType(type)) queue.push(...possible(type))
    for (const field of Object.values(type.getFields())) queue.push(getNamedType(field.type))
  }
  return seen
}

/**
 * Every field reachable from a schema's root types (`Type.field`, through interfaces and unions),
 * with the requirement `useAuth` enforces on it: computed by the plugin's own rule plan, with
 * where each rule was declared. `atResolve` marks fields the plugin decides only when they resolve.
 * A malformed declaration is a `TypeError`, as it is when the plugin starts. Resolvers are not
 * touched.
 *
 * @example
 * const rules = describeRules(schema, { protectAll: true })
 * rules.entries.find((entry) => entry.path === 'Mutation.createReport')?.access // 'restricted'
 */
export function describeRules(schema: unknown, options: DescribeRulesOptions = {}): RuleSet {
  if (!isSchema(schema)) throw new TypeError('describeRules: expected a GraphQLSchema')
  const { protectAll = false, onDeny = 'reject' } = options
  if (typeof protectAll !== 'boolean') throw new TypeError('"protectAll" must be a boolean')
  if (onDeny !== 'reject' && onDeny !== 'null') throw new TypeError(`"onDeny" must be 'reject' or 'null'`)
  const plan = createPlan(schema, { protectAll, onDeny, wrap: false })
  const kinds = new Map<Composite, RuleEntry['kind']>()
  for (const operation of OPERATIONS) {
    const root = schema.getRootType(operation)
    if (root && !kinds.has(root)) kinds.set(root, operation)
  }
  const types = reachable([...kinds.keys()] as GraphQLObjectType[], (type) =>
    isInterfaceType(type) ? schema.getPossibleTypes(type) : [],
  )
  const entries: RuleEntry[] = []
  for (const type of types)
    for (const [name, field] of Object.entries(type.getFields())) {
      const requirements: RuleRequirement[] = plan.sourcesOf(type, name).map(({ rule, origin }) => ({
        scopes: [...rule.scopes],
        roles: [...rule.roles],
        mode: rule.mode,
        origin,
      }))
      entries.push({
        path: `${type.name}.${name}`,
        kind: kinds.get(type) ?? 'field',
        access: accessOf(requirements, []),
        requirements,
        custom: [],
        atResolve: plan.atResolve.has(field),
      })
    }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { version: RULES_VERSION, adapter: 'graphql', entries }
}
