import { describe, expect, it } from 'vitest'
import { decide, type RequestState } from '../src/decide.js'
import type { Requirement } from '../src/plan.js'
import { auth, sign } from './fixtures.js'

async function stateFor(scope: string | undefined): Promise<RequestState<unknown>> {
  const identity = scope === undefined ? null : await auth.verify(await sign({ scope }))
  return { request: undefined, key: {}, identity, rejection: undefined, denials: undefined }
}

const reports: Requirement = [{ roles: [], scopes: ['read:reports'], mode: 'all' }]
const either: Requirement = [{ roles: ['finance'], scopes: ['read:reports'], mode: 'any' }]

describe('decide', () => {
  it('allows an identity that holds every rule, building no error', async () => {
    const state = await stateFor('read:reports')
    expect(decide(state, reports)).toBeNull()
    expect(decide(state, either)).toBeNull()
    expect(state.denials).toBeUndefined()
  })

  it("denies with core's error, built once per request and requirement", async () => {
    const state = await stateFor('write:reports')
    const first = decide(state, reports)
    expect(first).toMatchObject({ code: 'insufficient_scope', status: 403 })
    expect(decide(state, reports)).toBe(first)
  })

  it('asks an anonymous request to authenticate', async () => {
    expect(decide(await stateFor(undefined), reports)).toMatchObject({ code: 'token_missing', status: 401 })
  })
})
