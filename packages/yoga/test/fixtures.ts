import { createAuth } from '@portcullis/core'
import { authDirectiveTypeDefs } from '@portcullis/yoga'
import { createSchema } from 'graphql-yoga'
import { SignJWT } from 'jose'

export const issuer = 'https://id.example.com/'
export const audience = 'https://api.example.com'
export const secret = 'a-shared-secret-of-at-least-32-bytes!!'
export const auth = createAuth({ issuer, audience, secret })

const key = new TextEncoder().encode(secret)
const seconds = () => Math.floor(Date.now() / 1000)

/** A token for alice; `claims` adds or overrides claims (`scope`, `roles`, `exp`...). */
export function sign(claims: Record<string, unknown> = {}, signingKey: Uint8Array = key): Promise<string> {
  return new SignJWT({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    iat: seconds(),
    exp: seconds() + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(signingKey)
}

/** A token whose signature does not verify. */
export const forged = (): Promise<string> => sign({}, new TextEncoder().encode('x'.repeat(40)))

export const typeDefs = /* GraphQL */ `
  ${authDirectiveTypeDefs}
  type Query {
    me: User @auth
    reports(count: Int = 2): [Report!]! @auth(scopes: ["read:reports"])
    search(q: String!): [Result!]!
    nodes: [Node]!
    adminStats: AdminStats
    health: String @public
    either: String @auth(roles: ["finance"], scopes: ["read:reports"], mode: ANY)
  }
  type Mutation {
    publish(title: String!): Report! @auth(roles: ["editor"])
  }
  type Subscription {
    ticks(count: Int = 3, every: Int = 1): Int! @auth
  }
  type User {
    id: ID!
    scopes: [String!]!
  }
  interface Node {
    id: ID!
  }
  type Report implements Node {
    id: ID!
    title: String!
    revenue: Float @auth(roles: ["finance"])
  }
  type AdminStats implements Node @auth(roles: ["admin"]) {
    id: ID!
    users: Int!
  }
  union Result = Report | AdminStats
`

interface Context {
  identity: { subject: string; scopes: readonly string[] } | null
}

/** Subscription sources still running, to check that a cut-off stream stops at its source. */
export const streams = { open: 0 }

const report = (index: number) => ({
  __typename: 'Report',
  id: `r${index}`,
  title: `Q${index}`,
  revenue: 100 * index,
})
const stats = { __typename: 'AdminStats', id: 'a1', users: 42 }

export const resolvers = {
  Query: {
    me: (_: unknown, __: unknown, { identity }: Context) =>
      identity && { id: identity.subject, scopes: identity.scopes },
    reports: (_: unknown, { count }: { count: number }) =>
      Array.from({ length: count }, (_, index) => report(index)),
    search: () => [report(1), stats],
    nodes: () => [report(1), stats],
    adminStats: () => stats,
    health: () => 'ok',
    either: () => 'either',
  },
  Mutation: { publish: (_: unknown, { title }: { title: string }) => ({ ...report(9), title }) },
  Subscription: {
    ticks: {
      async *subscribe(_: unknown, { count, every }: { count: number; every: number }) {
        streams.open++
        try {
          for (let tick = 1; tick <= count; tick++) {
            await new Promise((resolve) => setTimeout(resolve, every))
            yield { ticks: tick }
          }
        } finally {
          streams.open--
        }
      },
    },
  },
  Node: { __resolveType: (value: { __typename: string }) => value.__typename },
  Result: { __resolveType: (value: { __typename: string }) => value.__typename },
}

/** A fresh executable schema (plans and wrapped resolvers are per schema). */
export const makeSchema = () => createSchema<Context>({ typeDefs, resolvers })
