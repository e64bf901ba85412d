import {
  astFromValue,
  type ConstDirectiveNode,
  type GraphQLDirective,
  type GraphQLSchema,
  isEnumType,
  print,
} from 'graphql'

/** The schema's `@auth` and `@public`, and why either is not the one `authDirectiveTypeDefs` defines. */
export interface Definitions {
  readonly auth: GraphQLDirective | undefined
  readonly public: GraphQLDirective | undefined
  /** Why the schema's `@auth` differs from ours; undefined when it matches (or is absent). */
  readonly foreignAuth: string | undefined
  /** Why the schema's `@public` differs from ours; undefined when it matches (or is absent). */
  readonly foreignPublic: string | undefined
}

/** Where the plan reads declarations; a directive allowed anywhere else would be ignored there. */
const READ = new Set<string>(['OBJECT', 'INTERFACE', 'FIELD_DEFINITION', 'UNION'])
const AUTH_ARGUMENTS: Readonly<Record<string, string>> = {
  roles: '[String!]',
  scopes: '[String!]',
  mode: 'AuthMode',
}

function locationsProblem(directive: GraphQLDirective): string | undefined {
  const ignored = directive.locations.filter((location) => !READ.has(location))
  return ignored.length > 0 ? `it is allowed on ${ignored.join(', ')}, where it would not be read` : undefined
}

/** Why `directive` is not the `@auth` of `authDirectiveTypeDefs`, or undefined when it is. */
function authProblem(directive: GraphQLDirective): string | undefined {
  const names = directive.args.map((arg) => arg.name)
  const extra = names.filter((name) => !Object.hasOwn(AUTH_ARGUMENTS, name))
  if (extra.length > 0) return `it has the arguments ${extra.map((name) => `"${name}"`).join(', ')}`
  for (const [name, type] of Object.entries(AUTH_ARGUMENTS)) {
    const arg = directive.args.find((item) => item.name === name)
    if (!arg) return `it has no "${name}" argument`
    if (String(arg.type) !== type) return `its "${name}" argument is ${String(arg.type)}, not ${type}`
  }
  const mode = directive.args.find((arg) => arg.name === 'mode')!
  const values = isEnumType(mode.type) ? mode.type.getValues().map((value) => value.name) : []
  if (values.join() !== 'ALL,ANY') return '"AuthMode" must have exactly the values ALL and ANY'
  const fallback = mode.defaultValue === undefined ? undefined : astFromValue(mode.defaultValue, mode.type)
  if (!fallback || print(fallback) !== 'ALL') return '"mode" must default to ALL'
  return locationsProblem(directive)
}

function publicProblem(directive: GraphQLDirective): string | undefined {
  if (directive.args.length > 0)
    return `it has the arguments ${directive.args.map((arg) => `"${arg.name}"`).join(', ')}`
  return locationsProblem(directive)
}

/** Reads the schema's directive definitions once, judging them against `authDirectiveTypeDefs`. */
export function definitionsOf(schema: GraphQLSchema): Definitions {
  const auth = schema.getDirective('auth') ?? undefined
  const pub = schema.getDirective('public') ?? undefined
  return {
    auth,
    public: pub,
    foreignAuth: auth && authProblem(auth),
    foreignPublic: pub && publicProblem(pub),
  }
}

/**
 * Checks one use of `@auth` or `@public` where the plan reads it: a `TypeError` naming the element
 * when the schema's directive is not ours (Apollo's `@auth(requires: ADMIN)`, say, read as plain
 * `@auth` would let any signed-in user in), is not defined, or is given an unknown argument.
 */
export function checkUsage(definitions: Definitions, node: ConstDirectiveNode, where: string): void {
  const name = node.name.value as 'auth' | 'public'
  const directive = definitions[name]
  const advice = 'use authDirectiveTypeDefs from @portcullis/yoga, or give your own directive another name'
  if (!directive) throw new TypeError(`${where}: uses @${name}, which the schema does not define; ${advice}`)
  const problem = name === 'auth' ? definitions.foreignAuth : definitions.foreignPublic
  if (problem)
    throw new TypeError(
      `${where}: @${name} is not the directive of authDirectiveTypeDefs (${problem}); ${advice}`,
    )
  for (const arg of node.arguments ?? [])
    if (!directive.args.some((item) => item.name === arg.name.value))
      throw new TypeError(`${where}: @${name} has an unknown argument "${arg.name.value}"`)
}

/** The error for a foreign definition no element uses where the plan looks. */
export function checkUnused(definitions: Definitions): void {
  for (const name of ['auth', 'public'] as const) {
    const problem = name === 'auth' ? definitions.foreignAuth : definitions.foreignPublic
    if (problem)
      throw new TypeError(
        `@${name}: the schema's definition is not the one of authDirectiveTypeDefs (${problem}); use authDirectiveTypeDefs from @portcullis/yoga, or give your own directive another name`,
      )
  }
}
