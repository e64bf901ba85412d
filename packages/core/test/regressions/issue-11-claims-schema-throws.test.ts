import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { viaBoth } from '../support/both.js'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'

// Issue 11: a `claims` schema that threw (a zod transform that throws, an async refinement that
// rejects) made `authenticate` reject with the schema's own error, message and all. It is now
// claim_invalid 401, like a mismatch, and the thrown message reaches no client.
const token = forge({ alg: 'HS256' }, claims(Date.now(), { tenant: 'acme' }))
const secretMessage = 'database password is hunter2'

describe('issue 11: a claims schema that throws is claim_invalid', () => {
  it.each([
    [
      'a transform that throws',
      z.object({ tenant: z.string() }).transform(() => {
        throw new Error(secretMessage)
      }),
    ],
    [
      // zod's own async refinements cannot stand in here: zod first runs them synchronously and
      // abandons the rejected promise (an unhandled rejection that is zod's, not ours).
      'an async schema that rejects',
      {
        '~standard': {
          version: 1 as const,
          vendor: 'test',
          validate: async (): Promise<never> => {
            throw new Error(secretMessage)
          },
        },
      },
    ],
    [
      'a hand-written schema whose validate throws',
      {
        '~standard': {
          version: 1 as const,
          vendor: 'test',
          validate: (): never => {
            throw new Error(secretMessage)
          },
        },
      },
    ],
  ])('answers %s as claim_invalid 401, without its message', async (_name, schema) => {
    const auth = createAuth({ issuer, audience, secret, claims: schema })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'claim_invalid', status: 401 })
    const error = (await auth.verify(token).catch((thrown: unknown) => thrown)) as Error
    expect(String(error.message)).not.toContain(secretMessage)
    expect(error.cause).toBeUndefined()
    const { node, fetch } = await viaBoth(auth, [['authorization', `Bearer ${token}`]])
    for (const outcome of [node, fetch]) {
      expect(outcome).toMatchObject({ status: 'rejected', code: 'claim_invalid', httpStatus: 401 })
      expect(JSON.stringify(outcome)).not.toContain(secretMessage)
    }
  })

  it('still gives the schema output to identity.claims when it passes', async () => {
    const auth = createAuth({
      issuer,
      audience,
      secret,
      claims: z.object({ tenant: z.string() }).transform(({ tenant }) => ({ tenant: tenant.toUpperCase() })),
    })
    expect((await auth.verify(token)).claims).toEqual({ tenant: 'ACME' })
  })
})
