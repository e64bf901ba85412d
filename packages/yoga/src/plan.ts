import type { RuleOrigin, Slot } from '@portcullis/core'
import {
  type DocumentNode,
  defaultFieldResolver,
  type GraphQLField,
  type GraphQLFieldResolver,
  GraphQLInterfaceType,
  type GraphQLNamedType,
  GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql'
import { checkUnused, definitionsOf } from './definitions.js'
import { type Declared, declaredOn, type Rule } from './directives.js'
import { unchecked } from './errors.js'

/** Rules that must all hold, interned per plan so equal requirements are the same object. */
export type Requirement = readonly Rule[]

/** One rule of a field's requirement, with the element that declared it (for `describeRules`). */
export interface Sourced {
  readonly rule: Rule
  readonly origin: RuleOrigin
}

type Field = GraphQLField<unknown, unknown>
type Composite = GraphQLObjectType | GraphQLInterfaceType

/** What one schema demands, computed once per schema and plugin configuration. */
export interface Plan {
  readonly schema: GraphQLSchema
  readonly protectAll: boolean
  /** The rules for selecting `field` on `type` (an object, or an interface as a lower bound). */
  requirementOf(type: Composite, field: string): Requirement | undefined
  /** The rules of {@link Plan.requirementOf}, each with where it was declared, before deduplication. */
  sourcesOf(type: Composite, field: string): readonly Sourced[]
  /** Fields checked again when they resolve, because a static check cannot decide them. */
  readonly atResolve: ReadonlyMap<Field, Requirement>
  /** Per-operation results, cached per document (see `check.ts`). */
  readonly documents: WeakMap<DocumentNode, unknown>
}

/** The requirement "any identity", used by `protectAll`. */
const ANY_IDENTITY: Rule = { roles: [], scopes: [], mode: 'all' }

const keyOf = (rule: Rule) => `${rule.mode}|${rule.roles.join(',')}|${rule.scopes.join(',')}`

/**
 * Builds the rule plan of a schema: every field's requirement, and the fields that must be checked
 * at resolve time. With `null` set, every guarded field is checked at resolve time instead.
 */
export function createPlan(
  schema: GraphQLSchema,
  options: { protectAll: boolean; onDeny: 'reject' | 'null'; wrap?: boolean },
): Plan {
  const declared = new Map<object, Declared>()
  const definitions = definitionsOf(schema)
  const read = (element: Field | GraphQLNamedType, where: string): Declared => {
    let found = declared.get(element)
    if (!found) {
      found = declaredOn(definitions, element, where)
      declared.set(element, found)
    }
    return found
  }
  const interned = new Map<string, Requirement>()
  const intern = (rules: Rule[]): Requirement | undefined => {
    if (rules.length === 0) return undefined
    const unique = new Map(rules.map((rule) => [keyOf(rule), rule]))
    const key = [...unique.keys()].sort().join(';')
    let requirement = interned.get(key)
    if (!requirement) {
      requirement = [...unique.values()]
      interned.set(key, requirement)
    }
    return requirement
  }

  const typeRules = (type: Composite, from: RuleOrigin['from']): Sourced[] => {
    const rules = read(type, type.name).rules.map((rule) => ({ rule, origin: { from, at: type.name } }))
    for (const parent of type.getInterfaces())
      for (const rule of read(parent, parent.name).rules)
        rules.push({ rule, origin: { from: from === 'type' ? 'interface' : from, at: parent.name } })
    return rules
  }

  const cache = new Map<Composite, Map<string, Requirement | undefined>>()
  const sources = new Map<Composite, Map<string, readonly Sourced[]>>()
  function compute(type: Composite, name: string): Requirement | undefined {
    const field = type.getFields()[name]
    if (!field) return undefined
    const where = `${type.name}.${name}`
    const own = read(field, where)
    const rules: Sourced[] = own.rules.map((rule) => ({ rule, origin: { from: 'field', at: where } }))
    rules.push(...typeRules(type, 'type'))
    // An implementation inherits the rules its interfaces declare on the same field.
    for (const parent of type.getInterfaces()) {
      const inherited = parent.getFields()[name]
      const at = `${parent.name}.${name}`
      if (inherited)
        for (const rule of read(inherited, at).rules) rules.push({ rule, origin: { from: 'interface', at } })
    }
    // Reaching a guarded type at all needs its rules: `adminStats { __typename }` is not a way in.
    const target = getNamedType(field.type)
    if (isObjectType(target) || isInterfaceType(target)) rules.push(...typeRules(target, 'target'))
    else if (isUnionType(target))
      for (const rule of read(target, target.name).rules)
        rules.push({ rule, origin: { from: 'target', at: target.name } })
    if (options.protectAll && !own.isPublic && !read(type, type.name).isPublic)
      rules.push({ rule: ANY_IDENTITY, origin: { from: 'protectAll' } })
    let fields = sources.get(type)
    if (!fields) {
      fields = new Map()
      sources.set(type, fields)
    }
    fields.set(name, rules)
    return intern(rules.map((item) => item.rule))
  }
  function requirementOf(type: Composite, name: string): Requirement | undefined {
    let fields = cache.get(type)
    if (!fields) {
      fields = new Map()
      cache.set(type, fields)
    }
    if (!fields.has(name)) fields.set(name, compute(type, name))
    return fields.get(name)
  }

  const atResolve = new Map<Field, Requirement>()
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue
    if (isUnionType(type)) read(type, type.name)
    if (!(type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType)) {
      if (!isUnionType(type) && (type.extensions as { auth?: unknown }).auth !== undefined)
        throw new TypeError(
          `${type.name}: "extensions.auth" is read on fields and object, interface and union types only`,
        )
      continue
    }
    // Every declaration is read now, so a malformed rule fails at startup, not on some request.
    for (const [name, field] of Object.entries(type.getFields())) {
      const requirement = requirementOf(type, name)
      if (requirement && options.onDeny === 'null' && type instanceof GraphQLObjectType)
        atResolve.set(field, requirement)
    }
    if (!(type instanceof GraphQLInterfaceType)) continue
    // Selected through an interface, a field is checked statically against the interface's rules;
    // an implementation asking for more is checked again when it resolves.
    for (const name of Object.keys(type.getFields())) {
      const lower = requirementOf(type, name)
      for (const implementation of schema.getPossibleTypes(type)) {
        const requirement = requirementOf(implementation, name)
        const field = implementation.getFields()[name]
        if (requirement && field && requirement !== lower) atResolve.set(field, requirement)
      }
    }
  }
  // A foreign definition nobody uses where rules are read still fails here, before any request.
  checkUnused(definitions)
  if (options.wrap !== false) for (const field of atResolve.keys()) wrap(field)
  const sourcesOf = (type: Composite, name: string): readonly Sourced[] => {
    requirementOf(type, name)
    return sources.get(type)?.get(name) ?? []
  }
  return {
    schema,
    protectAll: options.protectAll,
    requirementOf,
    sourcesOf,
    atResolve,
    documents: new WeakMap(),
  }
}

const CHECKS = Symbol('portcullis.resolveChecks')
const frozenChecks = new WeakMap<object, (field: Field) => void>()

/**
 * Resolve-time checks of the operation a GraphQL context belongs to, set by the plugin once it has
 * admitted the operation. A plain `Symbol` property rather than a private field: it must still be
 * found through a `Proxy` of the context or a copy of it that another plugin hands to execution.
 */
export const resolveChecks: Slot<(field: Field) => void> = {
  get: (context) => (context as { [CHECKS]?: (field: Field) => void })[CHECKS] ?? frozenChecks.get(context),
  set(context, check) {
    if (Object.isExtensible(context)) (context as { [CHECKS]?: (field: Field) => void })[CHECKS] = check
    else frozenChecks.set(context, check)
  },
}
const wrapped = new WeakSet<Field>()

function wrap(field: Field): void {
  if (wrapped.has(field)) return
  wrapped.add(field)
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver
  field.resolve = (source, args, context, info) => {
    const check = typeof context === 'object' && context !== null ? resolveChecks.get(context) : undefined
    // Fail closed: a guarded field reached by an operation the plugin did not admit (the schema run
    // without it, or a context it never saw) is refused, never resolved unchecked.
    if (!check) throw unchecked(field)
    check(field)
    return resolve(source, args, context, info)
  }
}
