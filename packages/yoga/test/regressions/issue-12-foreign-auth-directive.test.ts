import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { auth, sign } from '../fixtures.js'

// A schema that brings its own `@auth(requires: ADMIN)` (Apollo's style) was read as plain `@auth`:
// any signed-in user, so a USER read the ADMIN field. A directive that is not ours now fails at start.
const start = (typeDefs: string | string[]) =>
  createYoga({
    schema: createSchema({ typeDefs, resolvers: { Query: { secret: () => 'ADMIN ONLY' } } }),
    plugins: [useAuth({ auth })],
    logging: false,
  })

describe('a foreign @auth directive fails loudly at plugin start', () => {
  it("refuses Apollo's @auth(requires: ADMIN), naming the type and field", () => {
    const apollo = /* GraphQL */ `
      enum Role { ADMIN USER }
      directive @auth(requires: Role = ADMIN) on OBJECT | FIELD_DEFINITION
      type Query { secret: String @auth(requires: ADMIN) }
    `
    expect(() => start(apollo)).toThrow(TypeError)
    expect(() => start(apollo)).toThrow(/^Query\.secret: @auth is not the directive of authDirectiveTypeDefs/)
  })

  it('refuses a definition that differs only in its default mode or its places', () => {
    const anyByDefault = `
      enum AuthMode { ALL ANY }
      directive @auth(roles: [String!], scopes: [String!], mode: AuthMode = ANY) on OBJECT | INTERFACE | FIELD_DEFINITION
      type Query { secret: String @auth(roles: ["a", "b"]) }
    `
    expect(() => start(anyByDefault)).toThrow(
      'Query.secret: @auth is not the directive of authDirectiveTypeDefs ("mode" must default to ALL)',
    )
    const onArguments = `
      enum AuthMode { ALL ANY }
      directive @auth(roles: [String!], scopes: [String!], mode: AuthMode = ALL) on FIELD_DEFINITION | ARGUMENT_DEFINITION
      type Query { secret(id: ID @auth(roles: ["admin"])): String }
    `
    expect(() => start(onArguments)).toThrow(/^@auth: .*ARGUMENT_DEFINITION, where it would not be read/)
  })

  it('refuses a foreign @public', () => {
    const typeDefs = `
      directive @auth on FIELD_DEFINITION
      directive @public(reason: String) on FIELD_DEFINITION
      type Query { secret: String @public(reason: "x") }
    `
    expect(() => start(typeDefs)).toThrow(
      /^Query\.secret: @public is not the directive of authDirectiveTypeDefs/,
    )
  })

  it('still serves a schema built on authDirectiveTypeDefs, and enforces its roles', async () => {
    const yoga = start([authDirectiveTypeDefs, 'type Query { secret: String @auth(roles: ["admin"]) }'])
    const ask = async (roles: string[]) =>
      yoga.fetch('http://localhost/graphql?query={secret}', {
        headers: { authorization: `Bearer ${await sign({ roles })}` },
      })
    expect((await ask(['user'])).status).toBe(403)
    expect(await (await ask(['admin'])).json()).toEqual({ data: { secret: 'ADMIN ONLY' } })
  })
})
