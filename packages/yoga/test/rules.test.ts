import { assertSingleExecutionValue, createTestkit } from '@envelop/testing'
import type { RuleEntry, RuleOrigin } from '@portcullis/core'
import { authDirectiveTypeDefs, describeRules, useAuth } from '@portcullis/yoga'
import {
  type GraphQLField,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  getNamedType,
  isCompositeType,
  isNonNullType,
} from 'graphql'
import { createSchema } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { auth, makeSchema, sign } from './fixtures.js'

type Rule = { scopes?: string[]; roles?: string[]; mode?: 'all' | 'any' }
const req = (
  from: RuleOrigin['from'],
  at: string | undefined,
  { scopes = [], roles = [], mode = 'all' }: Rule = {},
) => ({
  scopes,
  roles,
  mode,
  origin: at === undefined ? { from } : { from, at },
})
const ANY = req('protectAll', undefined)

function entry(
  path: string,
  requirements: RuleEntry['requirements'] = [],
  { kind = 'field', atResolve = false }: { kind?: RuleEntry['kind']; atResolve?: boolean } = {},
): RuleEntry {
  return {
    path,
    kind,
    access: requirements.some((item) => item.scopes.length + item.roles.length > 0)
      ? 'restricted'
      : requirements.length > 0
        ? 'authenticated'
        : 'public',
    requirements,
    custom: [],
    atResolve,
  }
}
const set = (entries: RuleEntry[]) => ({ version: 1, adapter: 'graphql', entries })

describe('describeRules(schema)', () => {
  const admin = req('type', 'AdminStats', { roles: ['admin'] })
  const fixture = (protectAll: boolean) => {
    const all = protectAll ? [ANY] : []
    return set([
      // Selected through Node, AdminStats.id needs more than Node.id: decided when it resolves.
      entry('AdminStats.id', [admin, ...all], { atResolve: true }),
      entry('AdminStats.users', [admin, ...all]),
      entry('Mutation.publish', [req('field', 'Mutation.publish', { roles: ['editor'] }), ...all], {
        kind: 'mutation',
      }),
      entry('Node.id', all),
      entry('Query.adminStats', [req('target', 'AdminStats', { roles: ['admin'] }), ...all], {
        kind: 'query',
      }),
      entry(
        'Query.either',
        [req('field', 'Query.either', { roles: ['finance'], scopes: ['read:reports'], mode: 'any' }), ...all],
        { kind: 'query' },
      ),
      entry('Query.health', [], { kind: 'query' }),
      entry('Query.me', [req('field', 'Query.me'), ...all], { kind: 'query' }),
      entry('Query.nodes', all, { kind: 'query' }),
      entry('Query.reports', [req('field', 'Query.reports', { scopes: ['read:reports'] }), ...all], {
        kind: 'query',
      }),
      entry('Query.search', all, { kind: 'query' }),
      entry('Report.id', all),
      entry('Report.revenue', [req('field', 'Report.revenue', { roles: ['finance'] }), ...all]),
      entry('Report.title', all),
      entry('Subscription.idle', [req('field', 'Subscription.idle'), ...all], { kind: 'subscription' }),
      entry('Subscription.ticks', [req('field', 'Subscription.ticks'), ...all], { kind: 'subscription' }),
      entry('User.id', all),
      entry('User.scopes', all),
    ])
  }

  it('states every field reachable from the root types, through interfaces and unions', () => {
    expect(describeRules(makeSchema())).toEqual(fixture(false))
  })

  it('adds protectAll where the plugin does, and leaves @public fields open', () => {
    const described = describeRules(makeSchema(), { protectAll: true })
    // Report.id asks what Node.id asks (an identity): decided statically, like AdminStats.users.
    expect(described).toEqual(fixture(true))
  })

  it("marks every guarded field as decided at resolve time with onDeny: 'null'", () => {
    const guarded = describeRules(makeSchema(), { onDeny: 'null' }).entries.filter((item) => item.atResolve)
    expect(guarded.map((item) => item.path)).toEqual(
      fixture(false)
        .entries.filter((item) => item.requirements.length > 0 && item.path.split('.')[0] !== 'Node')
        .map((item) => item.path),
    )
  })

  it('names an interface’s rules on its implementations', () => {
    const schema = createSchema({
      typeDefs: /* GraphQL */ `
        ${authDirectiveTypeDefs}
        interface Secret @auth(roles: ["security"]) {
          code: String! @auth(scopes: ["read:code"])
        }
        type Vault implements Secret {
          code: String!
          label: String!
        }
        type Query {
          secrets: [Secret!]!
          vault: Vault
        }
        type Unreachable {
          x: String
        }
      `,
      resolvers: { Secret: { __resolveType: () => 'Vault' } },
    })
    const security = { roles: ['security'] }
    expect(describeRules(schema)).toEqual(
      set([
        entry('Query.secrets', [req('target', 'Secret', security)], { kind: 'query' }),
        entry('Query.vault', [req('target', 'Secret', security)], { kind: 'query' }),
        entry('Secret.code', [
          req('field', 'Secret.code', { scopes: ['read:code'] }),
          req('type', 'Secret', security),
        ]),
        entry('Vault.code', [
          req('interface', 'Secret', security),
          req('interface', 'Secret.code', { scopes: ['read:code'] }),
        ]),
        entry('Vault.label', [req('interface', 'Secret', security)]),
      ]),
    )
  })

  it('reads code-first extensions.auth, union rules and type extensions', () => {
    const Invoice = new GraphQLObjectType({
      name: 'Invoice',
      fields: {
        number: { type: GraphQLString },
        total: { type: GraphQLFloat, extensions: { auth: { roles: ['finance'] } } },
      },
    })
    const Audit = new GraphQLObjectType({
      name: 'Audit',
      extensions: { auth: { scopes: ['audit', 'admin'], mode: 'any' } },
      fields: { entries: { type: GraphQLInt } },
    })
    const Hit = new GraphQLUnionType({
      name: 'Hit',
      types: [Invoice],
      extensions: { auth: { roles: ['finance'] } },
    })
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          invoices: { type: new GraphQLList(Invoice), extensions: { auth: {} } },
          audit: { type: Audit },
          hits: { type: new GraphQLList(Hit) },
          status: { type: GraphQLString, extensions: { auth: { public: true } } },
        },
      }),
    })
    const audit: Rule = { scopes: ['audit', 'admin'], mode: 'any' }
    expect(describeRules(schema, { protectAll: true })).toEqual(
      set([
        entry('Audit.entries', [req('type', 'Audit', audit), ANY]),
        entry('Invoice.number', [ANY]),
        entry('Invoice.total', [req('field', 'Invoice.total', { roles: ['finance'] }), ANY]),
        entry('Query.audit', [req('target', 'Audit', audit), ANY], { kind: 'query' }),
        entry('Query.hits', [req('target', 'Hit', { roles: ['finance'] }), ANY], { kind: 'query' }),
        entry('Query.invoices', [req('field', 'Query.invoices'), ANY], { kind: 'query' }),
        entry('Query.status', [], { kind: 'query' }),
      ]),
    )
    const extended = createSchema({
      typeDefs: [authDirectiveTypeDefs, 'type Query { x: String }', 'extend type Query @auth(scopes: ["x"])'],
    })
    expect(describeRules(extended)).toEqual(
      set([entry('Query.x', [req('type', 'Query', { scopes: ['x'] })], { kind: 'query' })]),
    )
  })

  it('refuses a malformed rule as the plugin does, and what is not a schema', () => {
    const malformed = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: { x: { type: GraphQLString, extensions: { auth: { roles: 'admin' } } } },
      }),
    })
    expect(() => describeRules(malformed)).toThrow(
      'Query.x: "auth.roles" must be an array of non-empty strings',
    )
    expect(() => describeRules({})).toThrow(new TypeError('describeRules: expected a GraphQLSchema'))
    expect(() => describeRules(makeSchema(), { onDeny: 'drop' as never })).toThrow(
      `"onDeny" must be 'reject' or 'null'`,
    )
  })

  it('leaves every resolver as it was', () => {
    const schema = makeSchema()
    const before = schema.getType('AdminStats') as GraphQLObjectType
    const resolve = before.getFields().id?.resolve
    describeRules(schema, { onDeny: 'null' })
    expect(before.getFields().id?.resolve).toBe(resolve)
  })
})

describe('the README example', () => {
  it('describes the quick start’s Report.revenue as the README shows', () => {
    const typeDefs = /* GraphQL */ `
      ${authDirectiveTypeDefs}
      type Query {
        me: User @auth
        reports: [Report!]! @auth(scopes: ["read:reports"])
        health: String @public
      }
      type User { id: ID! }
      type Report { id: ID!, title: String!, revenue: Float @auth(roles: ["finance"]) }
      type AdminStats @auth(roles: ["admin"]) { users: Int! }
    `
    const schema = createSchema({ typeDefs })
    const rules = describeRules(schema)
    expect(rules.entries.find((entry) => entry.path === 'Report.revenue')).toEqual({
      path: 'Report.revenue',
      kind: 'field',
      access: 'restricted',
      custom: [],
      atResolve: false,
      requirements: [
        { scopes: [], roles: ['finance'], mode: 'all', origin: { from: 'field', at: 'Report.revenue' } },
      ],
    })
    // AdminStats is reachable from no root type: it is not listed.
    expect(rules.entries.some((entry) => entry.path.startsWith('AdminStats.'))).toBe(false)
  })
})

describe('describeRules agrees with the plugin', () => {
  const schema = makeSchema()
  const testkit = createTestkit([useAuth({ auth })], schema)
  const entries = describeRules(schema).entries.filter(
    (item) => item.kind === 'query' || item.kind === 'mutation',
  )

  /** `{ field(required: "x") { __typename } }`: the smallest operation selecting a root field. */
  function operationOf(item: RuleEntry): string {
    const [typeName, name] = item.path.split('.') as [string, string]
    const field = (schema.getType(typeName) as GraphQLObjectType).getFields()[name] as GraphQLField<
      unknown,
      unknown
    >
    const args = field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => `${arg.name}: "x"`)
    const call = args.length > 0 ? `${name}(${args.join(', ')})` : name
    const selection = isCompositeType(getNamedType(field.type)) ? `${call} { __typename }` : call
    return `${item.kind} { ${selection} }`
  }
  async function codeOf(item: RuleEntry, claims: Record<string, unknown> | undefined) {
    const headers: Record<string, string> = claims ? { authorization: `Bearer ${await sign(claims)}` } : {}
    const request = new Request('http://localhost/graphql', { headers })
    const result = await testkit.execute(operationOf(item), {}, { request })
    assertSingleExecutionValue(result)
    const code = result.errors?.[0]?.extensions?.code
    return code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'ok'
  }
  /** Claims holding exactly what the requirements list: all, or the first of each `any` list. */
  const holding = (requirements: RuleEntry['requirements']) => {
    const pick = (list: readonly string[], mode: string) => (mode === 'any' ? list.slice(0, 1) : list)
    return {
      scope: requirements.flatMap((item) => pick(item.scopes, item.mode)).join(' '),
      roles: requirements.flatMap((item) =>
        item.mode === 'any' && item.scopes.length > 0 ? [] : pick(item.roles, item.mode),
      ),
    }
  }

  it.each(entries.map((item) => [item.path, item] as const))(
    '%s: admitted as described, refused without',
    async (_, item) => {
      expect(await codeOf(item, holding(item.requirements))).toBe('ok')
      if (item.access === 'public') return
      expect(await codeOf(item, undefined)).toBe('UNAUTHENTICATED')
      for (const [index, requirement] of item.requirements.entries()) {
        if (requirement.scopes.length + requirement.roles.length === 0) continue
        const others = holding(item.requirements.filter((_, at) => at !== index))
        expect(await codeOf(item, others), JSON.stringify(requirement)).toBe('FORBIDDEN')
      }
    },
  )
})
