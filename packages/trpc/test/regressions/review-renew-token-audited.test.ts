import { type AuthContext, createAuthProcedures, describeRules } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { describe, expect, it } from 'vitest'

// Issue 20's renewToken mutation only renews a connection that already has an identity (an anonymous
// socket gets token_missing, HTTP gets BAD_REQUEST). Issue 19's audit must say so: described as a
// public mutation, it made `portcullis audit --fail-on unguarded-mutation` fail every app that mounts it.
describe('review: renewToken in describeRules', () => {
  it('is an authenticated mutation, never a public one', () => {
    const t = initTRPC.context<AuthContext>().create()
    const { renewToken } = createAuthProcedures(t)
    const [entry] = describeRules(t.router({ renewToken })).entries
    expect(entry).toMatchObject({ path: 'renewToken', kind: 'mutation', access: 'authenticated' })
  })
})
