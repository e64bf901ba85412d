import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  GraphQLObjectType,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  visit,
} from 'graphql'
import type { Plan, Requirement } from './plan.js'

/** A guarded selection in an operation: where it lands in the response, and what it needs. */
export interface Demand {
  readonly path: readonly string[]
  readonly node: FieldNode
  readonly requirement: Requirement
}

interface DocumentChecks {
  /** Variables used by `@skip`/`@include`: the only ones the result depends on. */
  readonly conditions: readonly string[]
  /** Keyed by operation name, `null` for none: `""` names no operation, and must not share a key with none. */
  readonly byKey: Map<string | null, readonly Demand[] | typeof TOO_LARGE>
}

/** Distinct variable combinations cached per document; further ones are computed each time. */
const MAX_VARIANTS = 32
/**
 * Field selections one check may visit. Fragments spread in fragments can describe exponentially
 * many selections in a small document; past this budget the operation is refused, not walked.
 */
export const MAX_SELECTIONS = 20_000

/** What {@link demandsOf} returns for an operation too large to check: it must not run. */
export const TOO_LARGE: unique symbol = Symbol('too large')
const ANY_IDENTITY: Requirement = [{ roles: [], scopes: [], mode: 'all' }]

function conditionsOf(document: DocumentNode): string[] {
  const names = new Set<string>()
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'skip' && node.name.value !== 'include') return
      for (const arg of node.arguments ?? [])
        if (arg.value.kind === Kind.VARIABLE) names.add(arg.value.name.value)
    },
  })
  return [...names]
}

const encode = (value: unknown) =>
  value === true ? 't' : value === false ? 'f' : value === undefined ? 'u' : 'o'

/**
 * Every guarded selection an operation makes, with `@skip`/`@include` evaluated against its
 * variables. Cached per schema plan, document, operation name and condition variables, so the
 * cost is paid once per distinct query, never per result item.
 */
export function demandsOf(
  plan: Plan,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): readonly Demand[] | typeof TOO_LARGE {
  let checks = plan.documents.get(document) as DocumentChecks | undefined
  if (!checks) {
    checks = { conditions: conditionsOf(document), byKey: new Map() }
    plan.documents.set(document, checks)
  }
  // graphql-js treats null and undefined alike (the document's only operation); any string, `""`
  // included, names one. Most documents have no @skip/@include on variables: their key is the
  // operation name itself, no string built.
  const name = operationName ?? null
  const key =
    checks.conditions.length === 0
      ? name
      : `${name === null ? '\u0001' : `=${name}`}\u0000${checks.conditions.map((item) => encode(variables?.[item])).join('')}`
  let demands = checks.byKey.get(key)
  if (!demands) {
    demands = collect(plan, document, operationName, variables ?? {})
    if (checks.byKey.size < MAX_VARIANTS) checks.byKey.set(key, demands)
  }
  return demands
}

function collect(
  plan: Plan,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
): readonly Demand[] | typeof TOO_LARGE {
  const operation = getOperationAST(document, operationName)
  if (!operation) return []
  const root = plan.schema.getRootType(operation.operation)
  if (!root) return []
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  const walker = new Walker(plan, fragments, defaultsOf(operation), variables)
  try {
    walker.walk(operation.selectionSet, root, [root], [], new Set())
  } catch (error) {
    if (error === TOO_LARGE) return TOO_LARGE
    throw error
  }
  return walker.demands
}

function defaultsOf(operation: OperationDefinitionNode): Map<string, boolean> {
  const defaults = new Map<string, boolean>()
  for (const definition of operation.variableDefinitions ?? [])
    if (definition.defaultValue?.kind === Kind.BOOLEAN)
      defaults.set(definition.variable.name.value, definition.defaultValue.value)
  return defaults
}

class Walker {
  constructor(
    private readonly plan: Plan,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly defaults: ReadonlyMap<string, boolean>,
    private readonly variables: Readonly<Record<string, unknown>>,
    readonly demands: Demand[] = [],
  ) {}

  private readonly seen = new Map<string, Set<Requirement>>()
  /** Fragments already walked at a path for a set of possible types: walking again adds nothing. */
  private readonly walked = new Set<string>()
  private visited = 0

  /** A condition's value, or undefined when it is not a boolean (then the selection counts as included). */
  private condition(node: SelectionNode, name: 'skip' | 'include'): boolean | undefined {
    const directive = node.directives?.find((item) => item.name.value === name)
    const value = directive?.arguments?.find((arg) => arg.name.value === 'if')?.value
    if (!value) return undefined
    if (value.kind === Kind.BOOLEAN) return value.value
    if (value.kind !== Kind.VARIABLE) return undefined
    const given = this.variables[value.name.value]
    const actual = given === undefined ? this.defaults.get(value.name.value) : given
    return typeof actual === 'boolean' ? actual : undefined
  }

  private included(node: SelectionNode): boolean {
    return this.condition(node, 'skip') !== true && this.condition(node, 'include') !== false
  }

  walk(
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    possible: readonly GraphQLObjectType[],
    path: readonly string[],
    spreads: ReadonlySet<string>,
  ): void {
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) continue
      if (selection.kind === Kind.FIELD) this.field(selection, parent, possible, path, spreads)
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value
        this.narrow(selection.selectionSet, condition, parent, possible, path, spreads)
      } else {
        const name = selection.name.value
        const fragment = this.fragments.get(name)
        // A fragment cycle is invalid GraphQL; stopping here keeps the walk bounded regardless.
        if (!fragment || spreads.has(name)) continue
        const key = [name, parent.name, possible.map((type) => type.name).join(','), ...path].join('\u0000')
        if (this.walked.has(key)) continue
        this.walked.add(key)
        const inner = new Set(spreads).add(name)
        this.narrow(fragment.selectionSet, fragment.typeCondition.name.value, parent, possible, path, inner)
      }
    }
  }

  private narrow(
    selectionSet: SelectionSetNode,
    condition: string | undefined,
    parent: GraphQLCompositeType,
    possible: readonly GraphQLObjectType[],
    path: readonly string[],
    spreads: ReadonlySet<string>,
  ): void {
    if (condition === undefined) {
      this.walk(selectionSet, parent, possible, path, spreads)
      return
    }
    const type = this.plan.schema.getType(condition)
    if (!type || !isCompositeType(type)) return
    const allowed = new Set(this.possibleTypesOf(type))
    const narrowed = possible.filter((item) => allowed.has(item))
    // A fragment on a type the value can never have never applies.
    if (narrowed.length > 0) this.walk(selectionSet, type, narrowed, path, spreads)
  }

  private possibleTypesOf(type: GraphQLCompositeType): readonly GraphQLObjectType[] {
    return isObjectType(type) ? [type] : this.plan.schema.getPossibleTypes(type)
  }

  private field(
    node: FieldNode,
    parent: GraphQLCompositeType,
    possible: readonly GraphQLObjectType[],
    path: readonly string[],
    spreads: ReadonlySet<string>,
  ): void {
    if (++this.visited > MAX_SELECTIONS) throw TOO_LARGE
    const name = node.name.value
    const fieldPath = [...path, node.alias?.value ?? name]
    if (name === '__typename') return
    if (name === '__schema' || name === '__type') {
      if (this.plan.protectAll) this.add(fieldPath, node, ANY_IDENTITY)
      return
    }
    if (!isObjectType(parent) && !isInterfaceType(parent)) return
    const definition = parent.getFields()[name]
    // An unknown field fails validation; there is nothing to guard.
    if (!definition) return
    let requirement = this.plan.requirementOf(parent, name)
    if (isAbstractType(parent)) {
      // Exact when every possible type agrees; otherwise the interface's rules are a lower bound
      // and the implementations that need more are checked when they resolve.
      const each = possible.map((type) => this.plan.requirementOf(type, name))
      if (each.length > 0 && each.every((item) => item === each[0])) requirement = each[0]
    }
    if (requirement) this.add(fieldPath, node, requirement)
    const target = getNamedType(definition.type)
    if (!node.selectionSet || !isCompositeType(target)) return
    const targets = target instanceof GraphQLObjectType ? [target] : this.plan.schema.getPossibleTypes(target)
    this.walk(node.selectionSet, target, targets, fieldPath, spreads)
  }

  private add(path: readonly string[], node: FieldNode, requirement: Requirement): void {
    // The same response key reached through several fragments is one demand per requirement.
    const key = path.join('\u0000')
    let seen = this.seen.get(key)
    if (!seen) {
      seen = new Set()
      this.seen.set(key, seen)
    }
    if (seen.has(requirement)) return
    seen.add(requirement)
    this.demands.push({ path, node, requirement })
  }
}
