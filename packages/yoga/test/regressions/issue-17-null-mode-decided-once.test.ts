import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { auth, sign } from '../fixtures.js'

// Issue 17: with onDeny: 'null', a guarded field of a long list is decided once per requirement and
// operation, not once per item. The verdict reused must be the one of that field's own rules.

const items = Array.from({ length: 50 }, (_, index) => ({
  id: String(index),
  cost: index,
  supplier: `s${index}`,
}))

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      ${authDirectiveTypeDefs}
      type Item {
        id: ID!
        cost: Float @auth(scopes: ["read:costs"])
        supplier: String @auth(scopes: ["read:suppliers"])
      }
      type Query { items: [Item!]! }
    `,
    resolvers: { Query: { items: () => items } },
  }),
  plugins: [useAuth({ auth, onDeny: 'null' })],
  logging: false,
})

async function query(scope: string) {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await sign({ scope })}` },
    body: JSON.stringify({ query: '{ items { id cost supplier } }' }),
  })
  return (await response.json()) as {
    data: { items: { id: string; cost: number | null; supplier: string | null }[] }
    errors?: { path: (string | number)[]; extensions: { code: string } }[]
  }
}

describe("onDeny: 'null' on a list", () => {
  it('nulls, on every item, exactly the fields whose own rules fail', async () => {
    const body = await query('read:costs')
    expect(body.data.items.map((item) => item.cost)).toEqual(items.map((item) => item.cost))
    expect(body.data.items.every((item) => item.supplier === null)).toBe(true)
    expect(body.errors?.map((error) => error.path)).toEqual(
      items.map((_, index) => ['items', index, 'supplier']),
    )
    expect(body.errors?.every((error) => error.extensions.code === 'FORBIDDEN')).toBe(true)
  })

  it('decides each request for its own identity', async () => {
    const suppliers = await query('read:suppliers')
    expect(suppliers.data.items.every((item) => item.cost === null && item.supplier !== null)).toBe(true)
    const both = await query('read:costs read:suppliers')
    expect(both.errors).toBeUndefined()
    expect(both.data.items).toEqual(items)
  })
})
