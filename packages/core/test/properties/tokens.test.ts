import { createAuth } from '@portcullis/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret, sign, signingKey } from '../support/fixtures.js'

const RUNS = 200

describe('any single change to a valid token is rejected', () => {
  it('for HS256: replacing one character with any other character', async () => {
    const auth = createAuth({ issuer, audience, secret, cache: false })
    const token = forge({ alg: 'HS256' }, claims(Date.now(), { scope: 'read:reports' }))
    expect((await auth.verify(token)).subject).toBe('alice')
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.integer({ min: 0, max: 0xffff }),
        async (index, code) => {
          const replacement = String.fromCharCode(code)
          fc.pre(replacement !== token[index])
          const mutated = token.slice(0, index) + replacement + token.slice(index + 1)
          await expect(auth.verify(mutated)).rejects.toMatchObject({ status: 401 })
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('for ES256: flipping one bit of one byte', async () => {
    const key = await signingKey('ES256')
    const auth = createAuth({ issuer, audience, jwks: { keys: [key.publicJwk] }, cache: false })
    const token = await sign(key)
    const bytes = Buffer.from(token)
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bytes.length - 1 }),
        fc.integer({ min: 0, max: 7 }),
        async (index, bit) => {
          const mutated = Buffer.from(bytes)
          mutated[index]! ^= 1 << bit
          await expect(auth.verify(mutated.toString('latin1'))).rejects.toMatchObject({ status: 401 })
        },
      ),
      { numRuns: RUNS },
    )
  })
})

describe('authenticate never throws for request content', () => {
  const auth = createAuth({ issuer, audience, secret })
  const valid = forge({ alg: 'HS256' }, claims())
  const headerValue = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(`Bearer ${valid}`, `__session=${valid}`, 'Bearer', 'Basic x', '__session="'),
    fc.string().map((text) => `Bearer ${text}`),
    fc.string().map((text) => `__session=${text}`),
  )
  const headers = fc.dictionary(
    fc.oneof(
      fc.constantFrom('authorization', 'Authorization', 'cookie', 'Cookie', '__proto__', 'constructor'),
      fc.string(),
    ),
    fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 }), fc.constant(undefined), fc.anything()),
  )
  const statuses = ['authenticated', 'anonymous', 'rejected']

  /** A status, or (issue 11) a TypeError for an object that is no request, naming it without values. */
  async function settle(request: unknown): Promise<string> {
    try {
      return (await auth.authenticate(request as Record<string, string>)).status
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(/^expected a request .*, got /)
      expect((error as Error).message).not.toContain(valid)
      return 'refused'
    }
  }

  it('for arbitrary header records, Node-like requests and Fetch headers', async () => {
    await fc.assert(
      fc.asyncProperty(headers, fc.array(fc.string(), { maxLength: 6 }), async (record, rawHeaders) => {
        // Raw header lines make it a Node request, whatever its `headers` hold: never refused.
        const results = [
          await settle(record),
          await auth
            .authenticate({ headers: record as Record<string, string>, rawHeaders })
            .then((r) => r.status),
        ]
        // Values JSON can hold are content: a record of them (client data) is never refused.
        const plain = (value: unknown) =>
          typeof value !== 'object' ||
          value === null ||
          Array.isArray(value) ||
          [Object.prototype, null].includes(Object.getPrototypeOf(value))
        const clean = Object.values(record).every((value) => typeof value !== 'function' && plain(value))
        if (clean && Object.getPrototypeOf(record) === Object.prototype)
          expect(results[0]).not.toBe('refused')
        try {
          const fetchHeaders = new Headers()
          for (const [name, value] of Object.entries(record))
            if (typeof value === 'string') fetchHeaders.append(name, value)
          results.push((await auth.authenticate(fetchHeaders)).status)
        } catch (error) {
          // Headers itself refuses invalid names or values; that is not authenticate's doing.
          expect(error).toBeInstanceOf(TypeError)
        }
        for (const result of results) expect([...statuses, 'refused']).toContain(result)
      }),
      { numRuns: RUNS },
    )
  })

  it('for values that are not requests at all: a status, or a TypeError naming the value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (value) => {
        expect([...statuses, 'refused']).toContain(await settle(value))
      }),
      { numRuns: RUNS },
    )
  })
})
