import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { audience, issuer, secret, sign } from './support/fixtures.js'

/** Every object reachable from `value`, itself included. */
function objectsIn(value: unknown, seen = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value)
    for (const item of Object.values(value)) objectsIn(item, seen)
  }
  return seen
}

const nested = {
  aud: [audience, 'https://other.example.com'],
  scope: 'read write',
  roles: ['admin'],
  org: { id: 'acme', teams: [{ name: 'core', tags: ['a'] }] },
}

describe('a verified identity', () => {
  it('is frozen all the way down, payload, lists and nested claims included (a cache hit shares it)', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const identity = await auth.verify(await sign(secret, nested))
    const objects = objectsIn(identity)
    // The identity, its three lists, two dates, the payload and every object and array inside it.
    expect(objects.size).toBeGreaterThanOrEqual(12)
    for (const object of objects) expect(Object.isFrozen(object)).toBe(true)
    expect(() => {
      ;(identity.payload.org as { teams: { tags: string[] }[] }).teams[0]!.tags.push('b')
    }).toThrow(TypeError)
  })

  it("is frozen all the way down when a claims schema made the claims, the schema's objects included", async () => {
    const schema = z.object({
      org: z.object({ id: z.string(), teams: z.array(z.object({ name: z.string() })) }),
    })
    const auth = createAuth({ issuer, audience, secret, claims: schema })
    const identity = await auth.verify(await sign(secret, nested))
    expect(identity.claims).not.toBe(identity.payload)
    for (const object of objectsIn(identity.claims)) expect(Object.isFrozen(object)).toBe(true)
    for (const object of objectsIn(identity.payload)) expect(Object.isFrozen(object)).toBe(true)
  })
})
