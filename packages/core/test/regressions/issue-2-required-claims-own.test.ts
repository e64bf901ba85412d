import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret, sign } from '../support/fixtures.js'

// Issue 2: `requiredClaims` looked a claim up with `payload[name]`, which finds what every object
// inherits: a required claim named like an Object.prototype member passed without being in the token.
describe('issue 2: requiredClaims counts only claims the token carries', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'rejects a token without a required "%s" claim',
    async (claim) => {
      const auth = createAuth({ issuer, audience, secret, requiredClaims: [claim] })
      await expect(auth.verify(await sign(secret))).rejects.toMatchObject({
        code: 'claim_invalid',
        status: 401,
      })
    },
  )

  it('accepts the token once it carries the claim', async () => {
    const auth = createAuth({ issuer, audience, secret, requiredClaims: ['constructor'] })
    await expect(auth.verify(await sign(secret, { constructor: 'x' }))).resolves.toMatchObject({
      subject: 'alice',
    })
  })
})
