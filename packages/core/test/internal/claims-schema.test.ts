import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { validateClaims } from '../../src/internal/claims-schema.js'

describe('validateClaims', () => {
  it('returns the payload without a schema, and the output with one', async () => {
    expect(await validateClaims(undefined, { a: 1 })).toEqual({ a: 1 })
    expect(await validateClaims(z.object({ a: z.number().transform(String) }), { a: 1 })).toEqual({ a: '1' })
  })

  it('names the paths of a mismatch, never the values', async () => {
    await expect(validateClaims(z.object({ tenant: z.string() }), { tenant: 42 })).rejects.toMatchObject({
      code: 'claim_invalid',
      message: 'claims did not match the schema at "tenant"',
    })
  })

  it.each([
    [
      'throws',
      () => {
        throw new Error('leak')
      },
    ],
    ['rejects', () => Promise.reject(new Error('leak'))],
    ['returns no result', () => undefined],
  ])('is claim_invalid, without the message or a cause, when validate %s', async (_name, validate) => {
    const schema = { '~standard': { version: 1 as const, vendor: 'test', validate: validate as never } }
    const error = await validateClaims(schema, {}).catch((thrown: unknown) => thrown)
    expect(error).toMatchObject({ code: 'claim_invalid', status: 401 })
    expect((error as Error).cause).toBeUndefined()
    expect((error as Error).message).not.toContain('leak')
  })
})
