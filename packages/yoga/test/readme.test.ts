import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth, createSessions } from '@portcullis/core'
import { type AuthContext, authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga } from 'graphql-yoga'
import { expect, it, onTestFinished } from 'vitest'
import { sign } from './fixtures.js'
import { cookieHeader } from './support/sessions.js'

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

it('runs the Sessions recipe of the README', async () => {
  // Same code as the README's Sessions recipe, on port 0, closed after the test.
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
  })
  const auth = createAuth({ sessions })

  const yoga = createYoga({
    schema: createSchema<AuthContext>({
      typeDefs: /* GraphQL */ `
        ${authDirectiveTypeDefs}
        type Query { me: String @auth }
        type Mutation { signOutEverywhere: Boolean @auth }
      `,
      resolvers: {
        Query: { me: (_, __, { identity }) => identity?.subject },
        Mutation: {
          // Every session of the subject fails its next request, on every instance sharing the store.
          signOutEverywhere: async (_, __, { identity }) => {
            await sessions.revokeSubject(identity!.subject)
            return true
          },
        },
      },
    }),
    plugins: [useAuth({ auth })],
  })

  const server = createServer(async (req, res) => {
    if (req.url === '/login' && req.method === 'POST') {
      // ...check the password first...
      const { setCookie } = await sessions.issue({ subject: 'alice', scopes: ['read:reports'] })
      res.setHeader('set-cookie', setCookie).end()
      return
    }
    if (req.url === '/logout' && req.method === 'POST') {
      const { setCookie } = await sessions.logout(req)
      res.setHeader('set-cookie', setCookie).end()
      return
    }
    yoga(req, res)
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(async () => {
    await new Promise((done) => server.close(done))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const login = await fetch(`${base}/login`, { method: 'POST' })
  const cookie = cookieHeader(login.headers.getSetCookie())
  const ask = async (query: string) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ query }),
    })
    return [response.status, await response.json()]
  }
  expect(await ask('{ me }')).toEqual([200, { data: { me: 'alice' } }])
  expect(await ask('mutation { signOutEverywhere }')).toEqual([200, { data: { signOutEverywhere: true } }])
  const [status, body] = await ask('{ me }')
  expect(status).toBe(401)
  expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
})
