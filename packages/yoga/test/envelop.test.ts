import { envelop, useEngine, useSchema } from '@envelop/core'
import { assertSingleExecutionValue, createTestkit } from '@envelop/testing'
import { createAuth, type Identity } from '@portcullis/core'
import { type AuthContext, useAuth } from '@portcullis/yoga'
import * as graphql from 'graphql'
import {
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
} from 'graphql'
import { createSchema, createYoga } from 'graphql-yoga'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { normalizeOptions } from '../src/options.js'
import { audience, auth, issuer, makeSchema, secret, sign } from './fixtures.js'

const bearer = (token: string) =>
  new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } })

describe('useAuth in a bare Envelop setup', () => {
  const getEnveloped = envelop({ plugins: [useEngine(graphql), useSchema(makeSchema()), useAuth({ auth })] })

  async function run(source: string, request?: unknown) {
    const { parse, validate, contextFactory, execute, schema } = getEnveloped({ request })
    const document = parse(source)
    expect(validate(schema, document)).toEqual([])
    const contextValue = await contextFactory()
    return { context: contextValue, result: await execute({ schema, document, contextValue }) }
  }

  it('puts the identity in the context it builds', async () => {
    const { context, result } = await run('{ me { id } }', bearer(await sign()))
    expect(context.identity?.subject).toBe('alice')
    expect(result).toEqual({ data: { me: { id: 'alice' } } })
  })

  it('reads credentials from a Node request or a plain header record', async () => {
    const token = await sign()
    const { result } = await run('{ me { id } }', { headers: { authorization: `Bearer ${token}` } })
    expect(result).toEqual({ data: { me: { id: 'alice' } } })
  })

  it('returns errors carrying the HTTP status and challenge for the server to use', async () => {
    const { context, result } = await run('{ me { id } }')
    expect(context.identity).toBeNull()
    assertSingleExecutionValue(result)
    expect(result.data).toBeUndefined()
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'token_missing',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    })
  })

  it('types context.identity from the claims schema of the auth', async () => {
    const claims = z.object({ sub: z.string(), tenant: z.string() })
    const typed = createAuth({ issuer, audience, secret, claims })
    const enveloped = envelop({
      plugins: [useEngine(graphql), useSchema(makeSchema()), useAuth({ auth: typed })],
    })
    const context = await enveloped({ request: bearer(await sign({ tenant: 'acme' })) }).contextFactory()
    expectTypeOf(context.identity).toEqualTypeOf<Identity<{ sub: string; tenant: string }> | null>()
    expect(context.identity?.claims.tenant).toBe('acme')
    expectTypeOf<AuthContext['identity']>().toEqualTypeOf<Identity | null>()
    // The same plugin drops into Yoga, whose context type comes from the schema.
    const yoga = createYoga({
      schema: createSchema<AuthContext<z.output<typeof claims>>>({
        typeDefs: 'type Query { tenant: String }',
        resolvers: { Query: { tenant: (_, __, { identity }) => identity?.claims.tenant } },
      }),
      plugins: [useAuth({ auth: typed })],
    })
    const response = await yoga.fetch('http://localhost/graphql?query={tenant}', {
      headers: { authorization: `Bearer ${await sign({ tenant: 'acme' })}` },
    })
    expect(await response.json()).toEqual({ data: { tenant: 'acme' } })
  })

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => useAuth({ auth: undefined as never })).toThrow('"auth" must be the result of createAuth()')
    expect(() => useAuth({ auth, onDeny: 'drop' as never })).toThrow(`"onDeny" must be 'reject' or 'null'`)
    expect(() => useAuth({ auth, invalidToken: 'allow' as never })).toThrow(
      `"invalidToken" must be 'reject' or 'anonymous'`,
    )
    expect(() => useAuth({ auth, protectAll: 'yes' as never })).toThrow('"protectAll" must be a boolean')
    for (const subscriptionRecheck of [-1, Number.NaN, '30 seconds' as never, '30000' as never])
      expect(() => useAuth({ auth, subscriptionRecheck })).toThrow(
        `"subscriptionRecheck" must be a non-negative number of seconds or a string like '5s', '10m', '1h'`,
      )
    for (const subscriptionRecheck of [0, '0s'] as const)
      expect(() => useAuth({ auth, subscriptionRecheck })).toThrow(
        '"subscriptionRecheck" must be longer than 0',
      )
  })
})

describe('useAuth with the Envelop test kit', () => {
  it('executes allowed operations and rejects denied ones', async () => {
    const testkit = createTestkit([useAuth({ auth })], makeSchema())
    const allowed = await testkit.execute(
      '{ reports { title } }',
      {},
      { request: bearer(await sign({ scope: 'read:reports' })) },
    )
    assertSingleExecutionValue(allowed)
    expect(allowed.data).toEqual({ reports: [{ title: 'Q0' }, { title: 'Q1' }] })

    const denied = await testkit.execute(
      '{ reports { revenue } }',
      {},
      { request: bearer(await sign({ scope: 'read:reports' })) },
    )
    assertSingleExecutionValue(denied)
    expect(denied.errors?.map((error) => [error.path, error.extensions.code])).toEqual([
      [['reports', 'revenue'], 'FORBIDDEN'],
    ])
  })
})

describe('a code-first schema with extensions.auth', () => {
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
    fields: { entries: { type: GraphQLInt, resolve: () => 7 } },
  })
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        invoices: {
          type: new GraphQLList(Invoice),
          extensions: { auth: {} },
          resolve: () => [{ number: 'I-1', total: 12.5 }],
        },
        audit: { type: Audit, resolve: () => ({}) },
        status: { type: GraphQLString, extensions: { auth: { public: true } }, resolve: () => 'up' },
      },
    }),
  })
  const testkit = createTestkit([useAuth({ auth, protectAll: true })], schema)
  const as = async (claims: Record<string, unknown> | undefined, query: string) => {
    const result = await testkit.execute(
      query,
      {},
      { request: claims ? bearer(await sign(claims)) : undefined },
    )
    assertSingleExecutionValue(result)
    return result
  }

  it('applies field, type and public rules from extensions', async () => {
    expect((await as(undefined, '{ status }')).data).toEqual({ status: 'up' })
    expect((await as(undefined, '{ invoices { number } }')).errors?.[0]?.extensions.code).toBe(
      'UNAUTHENTICATED',
    )
    expect((await as({}, '{ invoices { number } }')).data).toEqual({ invoices: [{ number: 'I-1' }] })
    expect((await as({}, '{ invoices { total } }')).errors?.[0]?.extensions).toMatchObject({
      reason: 'forbidden',
    })
    expect((await as({ roles: ['finance'] }, '{ invoices { total } }')).data).toEqual({
      invoices: [{ total: 12.5 }],
    })
    expect((await as({}, '{ audit { entries } }')).errors?.[0]?.extensions).toMatchObject({
      reason: 'insufficient_scope',
    })
    expect((await as({ scope: 'audit' }, '{ audit { entries } }')).data).toEqual({ audit: { entries: 7 } })
  })

  it('applies a rule on a union type to the fields returning it', async () => {
    const Hit = new GraphQLUnionType({
      name: 'Hit',
      types: [Invoice],
      extensions: { auth: { roles: ['finance'] } },
      resolveType: () => 'Invoice',
    })
    const withUnion = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: { hits: { type: new GraphQLList(Hit), resolve: () => [{ number: 'I-1' }] } },
      }),
    })
    const kit = createTestkit([useAuth({ auth })], withUnion)
    const denied = await kit.execute('{ hits { __typename } }', {}, { request: bearer(await sign()) })
    assertSingleExecutionValue(denied)
    expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'forbidden' })
    const allowed = await kit.execute(
      '{ hits { __typename } }',
      {},
      { request: bearer(await sign({ roles: ['finance'] })) },
    )
    assertSingleExecutionValue(allowed)
    expect(allowed.data).toEqual({ hits: [{ __typename: 'Invoice' }] })
  })

  it('refuses extensions.auth where it would be ignored', () => {
    const Level = new GraphQLEnumType({ name: 'Level', values: { HIGH: {} }, extensions: { auth: {} } })
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { level: { type: Level } } }),
    })
    expect(() => envelop({ plugins: [useEngine(graphql), useSchema(schema), useAuth({ auth })] })).toThrow(
      'Level: "extensions.auth" is read on fields and object, interface and union types only',
    )
  })

  it('names the element of a malformed rule when the plugin meets the schema', () => {
    const broken = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: { x: { type: GraphQLString, extensions: { auth: { roles: 'admin' } } } },
      }),
    })
    expect(() => envelop({ plugins: [useEngine(graphql), useSchema(broken), useAuth({ auth })] })).toThrow(
      'Query.x: "auth.roles" must be an array of non-empty strings',
    )
  })
})

describe('subscriptionRecheck', () => {
  it('reads a number as seconds and a string with its unit, like every duration in core', () => {
    expect(normalizeOptions({ auth }).subscriptionRecheck).toBe(30_000)
    expect(normalizeOptions({ auth, subscriptionRecheck: 2 }).subscriptionRecheck).toBe(2_000)
    expect(normalizeOptions({ auth, subscriptionRecheck: '5m' }).subscriptionRecheck).toBe(300_000)
    expect(normalizeOptions({ auth, subscriptionRecheck: '250ms' }).subscriptionRecheck).toBe(250)
  })
})
