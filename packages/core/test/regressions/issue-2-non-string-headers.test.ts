import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret, sign } from '../support/fixtures.js'

// Issue 2: `authenticate` never throws for request content. A request-like object whose raw header
// lines or Headers-like `get` held something other than strings made it throw a TypeError.
describe('issue 2: authenticate and header values that are not strings', () => {
  const auth = createAuth({ issuer, audience, secret })

  it('reads non-string raw header lines as no header', async () => {
    const request = { headers: {}, rawHeaders: [1, 2, 'Cookie', 3, null, 'x'] }
    await expect(auth.authenticate(request as never)).resolves.toEqual({ status: 'anonymous' })
  })

  it('reads a Headers-like get() that returns a non-string as no header', async () => {
    const headers = { get: () => 42, has: () => true }
    await expect(auth.authenticate(headers as never)).resolves.toEqual({ status: 'anonymous' })
  })

  it('still reads string values next to junk ones', async () => {
    const token = await sign(secret)
    const request = { headers: {}, rawHeaders: [7, 8, 'Authorization', `Bearer ${token}`] }
    await expect(auth.authenticate(request as never)).resolves.toMatchObject({
      status: 'authenticated',
      identity: { subject: 'alice' },
    })
  })
})
