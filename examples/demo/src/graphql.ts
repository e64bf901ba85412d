import { renderGraphiQL } from '@graphql-yoga/render-graphiql'
import type { Auth, Identity } from '@portcullis/core'
import { type AuthContext, authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga } from 'graphql-yoga'
import { REPORTS } from './reports.js'

const typeDefs = /* GraphQL */ `
  ${authDirectiveTypeDefs}

  type Query {
    hello: String!
    me: Me @auth
    reports: [Report!]! @auth(scopes: ["read:reports"])
    adminStats: AdminStats
  }

  type Mutation {
    createReport(title: String!): Report! @auth(scopes: ["write:reports"])
  }

  type Me {
    subject: String!
    scopes: [String!]!
    roles: [String!]!
  }

  type Report {
    id: ID!
    title: String!
    author: String!
  }

  type AdminStats @auth(roles: ["admin"]) {
    users: Int!
    sessions: String!
  }
`

/**
 * The demo's schema, rules included: what `/graphql` serves and what `portcullis audit` reads.
 *
 * @example
 * const schema = createDemoSchema('memory')
 */
export function createDemoSchema(store: 'memory' | 'redis' = 'memory') {
  return createSchema<AuthContext>({
    typeDefs,
    resolvers: {
      Query: {
        hello: (_root, _args, { identity }) => `hello, ${identity?.subject ?? 'anonymous'}`,
        me: (_root, _args, { identity }) => identity,
        reports: () => REPORTS,
        adminStats: () => ({ users: 2, sessions: store }),
      },
      Mutation: {
        createReport: (_root, { title }: { title: string }, { identity }) => ({
          id: 'r-new',
          title,
          author: identity?.subject,
        }),
      },
      Me: {
        subject: (identity: Identity) => identity.subject,
      },
    },
  })
}

/**
 * The demo's GraphQL endpoint at `/graphql` with GraphiQL: public, `@auth`, scope- and role-guarded fields.
 * GraphiQL's code and styles are served by the demo itself (`@graphql-yoga/render-graphiql`), not a CDN,
 * so it works offline.
 *
 * @example
 * const yoga = createDemoYoga(auth, 'memory')
 * createServer(yoga)
 */
export function createDemoYoga(auth: Auth, store: 'memory' | 'redis' = 'memory') {
  return createYoga({
    graphqlEndpoint: '/graphql',
    graphiql: {
      title: 'Portcullis demo',
      defaultQuery: '{ hello me { subject scopes roles } reports { id title } }',
    },
    renderGraphiQL,
    landingPage: false,
    plugins: [useAuth({ auth })],
    schema: createDemoSchema(store),
  })
}
