import { envelop, useEngine, useSchema } from '@envelop/core'
import { assertSingleExecutionValue, createTestkit } from '@envelop/testing'
import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import * as graphql from 'graphql'
import { createSchema } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { auth, sign } from './fixtures.js'

const bearer = async (claims: Record<string, unknown>) => ({
  request: new Request('http://localhost/graphql', {
    headers: { authorization: `Bearer ${await sign(claims)}` },
  }),
})

describe('@auth on an interface', () => {
  const schema = createSchema({
    typeDefs: /* GraphQL */ `
      ${authDirectiveTypeDefs}
      interface Secret @auth(roles: ["security"]) {
        code: String!
      }
      type Vault implements Secret {
        code: String!
        label: String!
      }
      type Query {
        secrets: [Secret!]!
        vault: Vault
      }
    `,
    resolvers: {
      Query: { secrets: () => [{ code: 'c1', label: 'v' }], vault: () => ({ code: 'c2', label: 'v' }) },
      Secret: { __resolveType: () => 'Vault' },
    },
  })
  const testkit = createTestkit([useAuth({ auth })], schema)

  it('guards the interface and every implementation, however it is selected', async () => {
    for (const query of [
      '{ secrets { code } }',
      '{ secrets { ... on Vault { label } } }',
      '{ vault { label } }',
      '{ vault { __typename } }',
    ]) {
      const result = await testkit.execute(query, {}, await bearer({}))
      assertSingleExecutionValue(result)
      expect(result.data, query).toBeUndefined()
      expect(result.errors?.[0]?.extensions, query).toMatchObject({ code: 'FORBIDDEN', reason: 'forbidden' })
    }
    const allowed = await testkit.execute('{ vault { label } }', {}, await bearer({ roles: ['security'] }))
    assertSingleExecutionValue(allowed)
    expect(allowed.data).toEqual({ vault: { label: 'v' } })
  })
})

describe('declarations', () => {
  const build = (typeDefs: string) =>
    envelop({
      plugins: [
        useEngine(graphql),
        useSchema(createSchema({ typeDefs: [authDirectiveTypeDefs, typeDefs] })),
        useAuth({ auth }),
      ],
    })

  it('refuses a field that is both @public and @auth', () => {
    expect(() => build('type Query { x: String @auth @public }')).toThrow(
      'Query.x is marked both public and @auth',
    )
  })

  it('refuses an unknown @auth argument and an @auth the schema does not define, naming the field', () => {
    // assumeValidSDL lets through what graphql's own SDL validation would catch.
    const loose = (sdl: string) =>
      envelop({
        plugins: [
          useEngine(graphql),
          useSchema(graphql.buildASTSchema(graphql.parse(sdl), { assumeValidSDL: true })),
          useAuth({ auth }),
        ],
      })
    expect(() => loose(`${authDirectiveTypeDefs} type Query { x: String @auth(role: ["admin"]) }`)).toThrow(
      'Query.x: @auth has an unknown argument "role"',
    )
    expect(() => loose('type Query { x: String @auth(roles: ["admin"]) }')).toThrow(
      /^Query\.x: uses @auth, which the schema does not define/,
    )
  })

  it('reads @auth from type extensions', async () => {
    const schema = createSchema({
      typeDefs: [authDirectiveTypeDefs, 'type Query { x: String }', 'extend type Query @auth(scopes: ["x"])'],
      resolvers: { Query: { x: () => 'x' } },
    })
    const result = await createTestkit([useAuth({ auth })], schema).execute('{ x }', {}, await bearer({}))
    assertSingleExecutionValue(result)
    expect(result.errors?.[0]?.extensions).toMatchObject({ reason: 'insufficient_scope' })
  })
})
