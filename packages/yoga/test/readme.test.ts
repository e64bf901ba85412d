import { createAuth } from '@portcullis/core'
import { type AuthContext, authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga } from 'graphql-yoga'
import { expect, it } from 'vitest'
import { sign } from './fixtures.js'

it('runs the quick start of the README', async () => {
  // Same code as the README's quick start, served with yoga.fetch instead of a port.
  const auth = createAuth({
    issuer: 'https://id.example.com/',
    audience: 'https://api.example.com',
    secret: 'a-shared-secret-of-at-least-32-bytes!!',
  })

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

  const yoga = createYoga({
    schema: createSchema<AuthContext>({
      typeDefs,
      resolvers: {
        Query: {
          me: (_, __, { identity }) => identity && { id: identity.subject },
          reports: () => [{ id: '1', title: 'Q1', revenue: 1200 }],
          health: () => 'ok',
        },
      },
    }),
    plugins: [useAuth({ auth })],
  })

  const ask = async (query: string, token?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query }),
    })
    return [response.status, await response.json()]
  }
  expect(await ask('{ health }')).toEqual([200, { data: { health: 'ok' } }])
  expect((await ask('{ me { id } }'))[0]).toBe(401)
  expect(await ask('{ me { id } }', await sign())).toEqual([200, { data: { me: { id: 'alice' } } }])
  expect((await ask('{ reports { revenue } }', await sign({ scope: 'read:reports' })))[0]).toBe(403)
})
