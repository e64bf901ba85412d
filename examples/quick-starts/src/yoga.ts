// examples/quick-starts/src/yoga.ts
import { createServer } from 'node:http'
import { createAuth } from '@portcullis/core'
import { type AuthContext, authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga } from 'graphql-yoga'

const auth = createAuth({
  issuer: 'https://id.example.com/', // keys found by OIDC discovery; or jwks, keys, secret
  audience: 'https://api.example.com',
})

const typeDefs = /* GraphQL */ `
  ${authDirectiveTypeDefs}
  type Query {
    me: User @auth
    reports: [Report!]! @auth(scopes: ["read:reports"])
    stats: AdminStats
    health: String @public
  }
  type User { id: ID! }
  type Report { id: ID! }
  type AdminStats @auth(roles: ["admin"]) { users: Int! }
`
const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, { identity }: AuthContext) => identity && { id: identity.subject },
    reports: () => [{ id: 'q1' }],
    stats: () => ({ users: 2 }),
    health: () => 'ok',
  },
}
const yoga = createYoga({
  schema: createSchema<AuthContext>({ typeDefs, resolvers }), // resolvers read context.identity
  plugins: [useAuth({ auth })],
})

createServer(yoga).listen(4000)
// curl localhost:4000/graphql -H 'content-type: application/json' -d '{"query":"{ health }"}'
