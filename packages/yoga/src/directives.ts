import {
  type ConstDirectiveNode,
  type GraphQLDirective,
  type GraphQLField,
  type GraphQLNamedType,
  getDirectiveValues,
} from 'graphql'
import { checkUsage, type Definitions } from './definitions.js'

/**
 * The SDL for `@auth`, `@public` and `AuthMode`; interpolate it into your type definitions.
 *
 * @example
 * const typeDefs = `
 *   ${authDirectiveTypeDefs}
 *   type Query { me: User @auth, health: String @public }
 * `
 */
export const authDirectiveTypeDefs: string = /* GraphQL */ `
  enum AuthMode {
    ALL
    ANY
  }
  directive @auth(roles: [String!], scopes: [String!], mode: AuthMode = ALL) on OBJECT | INTERFACE | FIELD_DEFINITION
  directive @public on OBJECT | INTERFACE | FIELD_DEFINITION
`

/**
 * A rule in code-first schemas: set it as `extensions.auth` on a field or an object or interface
 * type. `{}` requires any identity; `{ public: true }` exempts the element from `protectAll`.
 *
 * @example
 * new GraphQLObjectType({
 *   name: 'AdminStats',
 *   extensions: { auth: { roles: ['admin'] } },
 *   fields: { users: { type: GraphQLInt } },
 * })
 */
export interface AuthExtension {
  /** Roles the identity must hold. */
  roles?: readonly string[]
  /** Scopes the identity must hold. */
  scopes?: readonly string[]
  /** `'all'`: every listed role and scope; `'any'`: at least one of them. @default 'all' */
  mode?: 'all' | 'any' | 'ALL' | 'ANY'
  /** Exempts the element from `protectAll`; it does not lift any `@auth` rule. */
  public?: boolean
}

/** One normalized rule: an identity is needed, plus the roles and scopes under `mode`. */
export interface Rule {
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  readonly mode: 'all' | 'any'
}

/** The rules declared on one schema element, and whether it is marked public. */
export interface Declared {
  readonly rules: readonly Rule[]
  readonly isPublic: boolean
}

type Element = GraphQLField<unknown, unknown> | GraphQLNamedType

const NONE: Declared = { rules: [], isPublic: false }

function stringList(value: unknown, where: string, name: string): readonly string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== ''))
    throw new TypeError(`${where}: "auth.${name}" must be an array of non-empty strings`)
  return value as string[]
}

function modeOf(value: unknown, where: string): 'all' | 'any' {
  if (value === undefined || value === null) return 'all'
  if (typeof value === 'string' && /^(all|any)$/i.test(value)) return value.toLowerCase() as 'all' | 'any'
  throw new TypeError(`${where}: "auth.mode" must be 'all' or 'any'`)
}

function fromExtension(value: unknown, where: string): Declared {
  if (value === undefined) return NONE
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${where}: "extensions.auth" must be an object like { roles, scopes, mode, public }`)
  const input = value as Record<string, unknown>
  for (const key of Object.keys(input))
    if (!['roles', 'scopes', 'mode', 'public'].includes(key))
      throw new TypeError(`${where}: "extensions.auth" has an unknown key "${key}"`)
  if (input.public !== undefined && typeof input.public !== 'boolean')
    throw new TypeError(`${where}: "auth.public" must be a boolean`)
  if (input.public === true) {
    if (input.roles !== undefined || input.scopes !== undefined)
      throw new TypeError(`${where}: "extensions.auth" cannot be public and require roles or scopes`)
    return { rules: [], isPublic: true }
  }
  const rule: Rule = {
    roles: stringList(input.roles, where, 'roles'),
    scopes: stringList(input.scopes, where, 'scopes'),
    mode: modeOf(input.mode, where),
  }
  return { rules: [rule], isPublic: false }
}

function directivesOf(element: Element): readonly ConstDirectiveNode[] {
  const nodes: { readonly directives?: readonly ConstDirectiveNode[] }[] = []
  if (element.astNode) nodes.push(element.astNode)
  if ('extensionASTNodes' in element) nodes.push(...element.extensionASTNodes)
  return nodes.flatMap((node) => node.directives ?? [])
}

/**
 * Reads the rules declared on a field or type, from `@auth`/`@public` and from `extensions.auth`.
 * Throws a `TypeError` naming the element when a declaration is malformed or contradictory, or
 * uses a directive that is not the one `authDirectiveTypeDefs` defines.
 */
export function declaredOn(definitions: Definitions, element: Element, where: string): Declared {
  const rules: Rule[] = []
  let isPublic = false
  for (const node of directivesOf(element)) {
    const name = node.name.value
    if (name !== 'auth' && name !== 'public') continue
    checkUsage(definitions, node, where)
    if (name === 'auth') rules.push(fromDirective(definitions.auth!, node, where))
    else isPublic = true
  }
  const extension = fromExtension((element.extensions as { auth?: unknown } | undefined)?.auth, where)
  rules.push(...extension.rules)
  isPublic ||= extension.isPublic
  if (isPublic && rules.length > 0) throw new TypeError(`${where} is marked both public and @auth`)
  return rules.length === 0 && !isPublic ? NONE : { rules, isPublic }
}

function fromDirective(directive: GraphQLDirective, node: ConstDirectiveNode, where: string): Rule {
  // The directive's arguments are constants (variables are not allowed in SDL), so no variables are needed.
  const values = getDirectiveValues(directive, { directives: [node] }) ?? {}
  return {
    roles: stringList(values.roles, where, 'roles'),
    scopes: stringList(values.scopes, where, 'scopes'),
    mode: modeOf(values.mode, where),
  }
}
