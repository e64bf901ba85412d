import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import type { GraphQLObjectType } from 'graphql'
import { createSchema, createYoga } from 'graphql-yoga'
import { beforeAll, describe, expect, it } from 'vitest'
import { auth, makeSchema, sign } from './fixtures.js'

const schema = makeSchema()
const yoga = createYoga({ schema, plugins: [useAuth({ auth })], logging: false })

interface Body {
  data?: Record<string, unknown> | null
  errors?: { path?: (string | number)[]; extensions: Record<string, unknown> }[]
}

let reader: string
beforeAll(async () => {
  reader = await sign({ scope: 'read:reports' })
})

async function run(query: string, variables?: Record<string, unknown>, token = reader) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, body: (await response.json()) as Body }
}

// Each shape selects Report.revenue (needs role "finance") for an identity without it.
const bypasses: [string, string, Record<string, unknown> | undefined, (string | number)[]][] = [
  ['an alias', '{ reports { money: revenue } }', undefined, ['reports', 'money']],
  ['two aliases', '{ a: reports { title } b: reports { x: revenue } }', undefined, ['b', 'x']],
  [
    'a named fragment',
    '{ reports { ...R } } fragment R on Report { revenue }',
    undefined,
    ['reports', 'revenue'],
  ],
  [
    'a fragment inside a fragment',
    '{ ...Q } fragment Q on Query { reports { ...R } } fragment R on Report { title ...S } fragment S on Report { revenue }',
    undefined,
    ['reports', 'revenue'],
  ],
  ['an inline fragment', '{ reports { ... on Report { revenue } } }', undefined, ['reports', 'revenue']],
  ['an untyped inline fragment', '{ reports { ... { revenue } } }', undefined, ['reports', 'revenue']],
  ['a union', '{ search(q: "x") { ... on Report { revenue } } }', undefined, ['search', 'revenue']],
  ['an interface', '{ nodes { id ... on Report { revenue } } }', undefined, ['nodes', 'revenue']],
  [
    'an interface fragment spread on a union',
    '{ search(q: "x") { ... on Node { ... on Report { revenue } } } }',
    undefined,
    ['search', 'revenue'],
  ],
  [
    '@include with a variable that is true',
    'query ($on: Boolean!) { reports { revenue @include(if: $on) } }',
    { on: true },
    ['reports', 'revenue'],
  ],
  [
    '@skip with a variable that is false',
    'query ($off: Boolean!) { reports { revenue @skip(if: $off) } }',
    { off: false },
    ['reports', 'revenue'],
  ],
  [
    '@include with a default value',
    'query ($on: Boolean = true) { reports { revenue @include(if: $on) } }',
    undefined,
    ['reports', 'revenue'],
  ],
  [
    '@include on a fragment spread',
    'query ($on: Boolean!) { reports { ...R @include(if: $on) } } fragment R on Report { revenue }',
    { on: true },
    ['reports', 'revenue'],
  ],
  [
    'a second operation in the document',
    'query A { health } query B { reports { revenue } }',
    undefined,
    ['reports', 'revenue'],
  ],
]

describe('rules hold however a field is reached', () => {
  it.each(bypasses)('denies Report.revenue through %s', async (_, query, variables, path) => {
    const operationName = query.startsWith('query A') ? 'B' : undefined
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` },
      body: JSON.stringify({ query, variables, operationName }),
    })
    const body = (await response.json()) as Body
    expect(response.status).toBe(403)
    expect(body.data).toBeUndefined()
    expect(body.errors?.map((error) => error.path)).toEqual([path])
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'forbidden' })
  })

  it('runs an operation whose guarded selection is excluded by its variables', async () => {
    const include = 'query ($on: Boolean!) { reports { title revenue @include(if: $on) } }'
    expect((await run(include, { on: false })).body.data).toEqual({
      reports: [{ title: 'Q0' }, { title: 'Q1' }],
    })
    expect((await run(include, { on: true })).status).toBe(403)
    // The same document, checked again with the other value, is not served from a stale cache entry.
    expect((await run(include, { on: false })).status).toBe(200)
    const skip = 'query ($off: Boolean!) { reports { title revenue @skip(if: $off) } }'
    expect((await run(skip, { off: true })).status).toBe(200)
  })

  it('treats a condition it cannot read as included', async () => {
    // An explicit null is not false: the check must not count the selection as excluded.
    const include = 'query ($on: Boolean = true) { reports { revenue @include(if: $on) } }'
    const { status, body } = await run(include, { on: null })
    expect(status).toBe(403)
    expect(body.data).toBeUndefined()
  })

  it('guards every field of a type with @auth, and reaching the type at all', async () => {
    for (const query of [
      '{ adminStats { users } }',
      '{ adminStats { __typename } }',
      '{ search(q: "x") { ... on AdminStats { users } } }',
      '{ nodes { ... on AdminStats { id } } }',
    ]) {
      const { status, body } = await run(query)
      expect(status, query).toBe(403)
      expect(body.errors?.[0]?.extensions, query).toEqual({ code: 'FORBIDDEN', reason: 'forbidden' })
    }
    const admin = await sign({ roles: ['admin'] })
    expect((await run('{ adminStats { users } }', undefined, admin)).body).toEqual({
      data: { adminStats: { users: 42 } },
    })
  })

  it('checks an interface field at resolve time when its implementations disagree', async () => {
    // Node.id is open on Report but needs "admin" on AdminStats: only the value decides.
    const { status, body } = await run('{ nodes { id } }')
    expect(status).toBe(200)
    expect(body.data).toEqual({ nodes: [{ id: 'r1' }, null] })
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['nodes', 1, 'id'],
        extensions: { code: 'FORBIDDEN', reason: 'forbidden' },
      }),
    ])
    const admin = await sign({ roles: ['admin'] })
    expect((await run('{ nodes { id } }', undefined, admin)).body).toEqual({
      data: { nodes: [{ id: 'r1' }, { id: 'a1' }] },
    })
  })

  it('allows __typename anywhere and introspection without protectAll', async () => {
    const { status, body } = await run(
      '{ __typename search(q: "x") { __typename } __type(name: "Report") { name } }',
    )
    expect(status).toBe(200)
    expect(body.data).toEqual({
      __typename: 'Query',
      search: [{ __typename: 'Report' }, { __typename: 'AdminStats' }],
      __type: { name: 'Report' },
    })
  })

  it('reports a guarded field once however large the result list is', async () => {
    const { status, body } = await run('{ reports(count: 1000) { title revenue } }')
    expect(status).toBe(403)
    expect(body.errors).toHaveLength(1)
  })
})

describe('run-time cost', () => {
  const field = (type: string, name: string) => (schema.getType(type) as GraphQLObjectType).getFields()[name]!

  it('wraps no resolver except fields an interface cannot decide', async () => {
    await run('{ health }')
    // Guarded or not, Query fields keep the resolvers they were built with (bound by createSchema).
    for (const name of ['me', 'reports', 'search', 'health'])
      expect(field('Query', name).resolve?.name).toBe(`bound ${name}`)
    expect(field('Report', 'revenue').resolve).toBeUndefined()
    // AdminStats.id is reachable through Node, whose other implementation leaves id open.
    expect(field('AdminStats', 'id').resolve).toBeTypeOf('function')
    expect(field('Report', 'id').resolve).toBeUndefined()
  })
})

describe('operations too large to check', () => {
  it('refuses fragments that expand exponentially, without walking them', async () => {
    const schema = createSchema({
      typeDefs: /* GraphQL */ `
        ${authDirectiveTypeDefs}
        type Tree {
          a: Tree
          b: Tree
          leaf: String @auth
        }
        type Query {
          tree: Tree
        }
      `,
      resolvers: { Query: { tree: () => null } },
    })
    const levels = 40
    const fragments = Array.from({ length: levels }, (_, level) =>
      level === levels - 1
        ? `fragment F${level} on Tree { leaf }`
        : `fragment F${level} on Tree { a { ...F${level + 1} } b { ...F${level + 1} } }`,
    )
    const query = `{ tree { ...F0 } } ${fragments.join(' ')}`
    const big = createYoga({ schema, plugins: [useAuth({ auth })], logging: false })
    const response = await big.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` },
      body: JSON.stringify({ query }),
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as Body
    expect(body.data).toBeUndefined()
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_TOO_LARGE' })
  })

  it('reports a field reached through repeated spreads once', async () => {
    const { body } = await run(
      '{ reports { ...R ...R ... on Report { ...R } } } fragment R on Report { revenue }',
    )
    expect(body.errors?.map((error) => error.path)).toEqual([['reports', 'revenue']])
  })
})
