import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'

// Review: anything with `get` and `has` functions was read as a Fetch `Headers`, so a
// `URLSearchParams` (a URL's query) or a `FormData` (a form body) passed by mistake authenticated a
// client from `?authorization=Bearer ...` or a form field: a token in a URL (logs, referrers) and a
// credential a cross-site form can send. Neither is a request: both are a TypeError now, like a Map.
describe('review: a query string or a form body is not a request', () => {
  const auth = createAuth({ issuer, audience, secret })
  const token = forge({ alg: 'HS256' }, claims())
  const form = new FormData()
  form.set('authorization', `Bearer ${token}`)

  it.each([
    ['URLSearchParams', new URLSearchParams({ authorization: `Bearer ${token}` }), 'URLSearchParams'],
    ['FormData', form, 'FormData'],
    [
      'URLSearchParams under headers',
      { headers: new URLSearchParams({ authorization: `Bearer ${token}` }) },
      'keys headers',
    ],
  ])('refuses %s with a TypeError naming it, never its values', async (_name, value, named) => {
    const failure = auth.authenticate(value as never)
    await expect(failure).rejects.toThrow(TypeError)
    await expect(failure).rejects.toThrow(named)
    await expect(failure).rejects.not.toThrow(token)
    expect(() => auth.authenticateSync(value as never)).toThrow(TypeError)
  })

  it('still reads a Headers look-alike (a ponyfill) that is neither', async () => {
    const headers = new Map([['authorization', `Bearer ${token}`]])
    const ponyfill = {
      get: (name: string) => headers.get(name.toLowerCase()) ?? null,
      has: (name: string) => headers.has(name),
    }
    await expect(auth.authenticate({ headers: ponyfill } as never)).resolves.toMatchObject({
      status: 'authenticated',
    })
  })
})
