import { describe, expect, it } from 'vitest'
import { microCalls } from '../src/micro.js'
import { ALGORITHMS } from '../src/tokens.js'

describe('the verifications section 1 times', () => {
  it.each(ALGORITHMS)(
    '%s: jose, its A/A twin, the miss, the hit and authenticate all answer alice',
    async (alg) => {
      const calls = await microCalls(alg)
      expect(calls.map((call) => call.name)).toEqual(['jose', 'jose (A/A)', 'miss', 'hit', 'authenticate'])
      for (const call of calls) await expect(call.check()).resolves.toBeUndefined()
    },
  )
})
