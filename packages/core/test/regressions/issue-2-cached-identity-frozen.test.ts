import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret, sign } from '../support/fixtures.js'

// Issue 2: a cached token hands every request the same identity object. Code that changed it for one
// request (pushed a scope, set a claim) changed it for every later request with that token, which the
// next cache hit then served as verified. The identity, its lists and its payload are now frozen.
describe('issue 2: the identity a cache hit returns is what the token said', () => {
  it('cannot be changed by a caller, so the next cache hit sees the verified claims', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret, { scope: 'read', roles: ['viewer'], org: { id: 'acme' } })
    const first = await auth.verify(token)
    expect(() => (first.scopes as string[]).push('admin')).toThrow(TypeError)
    expect(() => (first.roles as string[]).push('admin')).toThrow(TypeError)
    expect(() => {
      ;(first.payload as Record<string, unknown>).scope = 'read admin'
    }).toThrow(TypeError)
    expect(() => {
      ;(first.payload.org as Record<string, unknown>).id = 'evil'
    }).toThrow(TypeError)
    expect(() => {
      ;(first as { subject: string }).subject = 'root'
    }).toThrow(TypeError)

    const second = await auth.verify(token)
    expect(second).toMatchObject({ subject: 'alice', scopes: ['read'], roles: ['viewer'] })
    expect(second.payload).toMatchObject({ scope: 'read', org: { id: 'acme' } })
  })
})
