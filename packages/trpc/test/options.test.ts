import { createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { describe, expect, it } from 'vitest'
import { makeAuth } from './support/fixtures.js'

describe('createAuthContext options', () => {
  const auth = makeAuth()

  it.each([
    [{ invalidToken: 'maybe' }, `"invalidToken" must be 'reject' or 'anonymous'`],
    [
      { recheckInterval: '5 minutes' },
      `"recheckInterval" must be a non-negative number of seconds or a string like '5s', '10m', '1h'`,
    ],
    [{ recheckInterval: 0 }, '"recheckInterval" must be a positive duration, or false'],
    [{ recheckInterval: '0s' }, '"recheckInterval" must be a positive duration, or false'],
    [{ context: { db: 1 } }, '"context" must be a function'],
    [{ connectionParams: 'token' }, '"connectionParams" must be a function'],
    [{ now: 5 }, '"now" must be a function'],
  ])('rejects %o with a TypeError naming the option', (options, message) => {
    expect(() => createAuthContext(auth, options as never)).toThrow(new TypeError(message))
  })

  it('requires a verifier made by createAuth', () => {
    expect(() => createAuthContext({} as never)).toThrow(
      new TypeError('"auth" must be made by createAuth from @portcullis/core'),
    )
  })

  it('accepts durations as seconds or strings, and false', () => {
    for (const recheckInterval of [30, '30s', '250ms', '1m', false] as const)
      expect(() => createAuthContext(auth, { recheckInterval })).not.toThrow()
  })
})

describe('requireScopes and requireRoles', () => {
  const createContext = createAuthContext(makeAuth())
  const { requireScopes, requireRoles } = createAuthProcedures(
    initTRPC.context<typeof createContext>().create(),
  )

  it('reject a list that is not an array of strings', () => {
    expect(() => requireScopes('read:reports' as never)).toThrow(
      new TypeError('requireScopes: "scopes" must be an array of strings'),
    )
    expect(() => requireRoles([1] as never)).toThrow(
      new TypeError('requireRoles: "roles" must be an array of strings'),
    )
  })
})
