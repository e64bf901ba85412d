import { describe, expect, it } from 'vitest'
import { createSlot } from '../src/slot.js'

describe('createSlot (per-request state on the object)', () => {
  it('keeps a value on the object, hidden from spreading and from other slots', () => {
    const state = createSlot<string>('state')
    const other = createSlot<string>('state')
    const context = { request: 'r' }
    state.set(context, 'verified')
    expect(state.get(context)).toBe('verified')
    expect(other.get(context)).toBeUndefined()
    expect(Object.keys(context)).toEqual(['request'])
    expect(state.get({ ...context })).toBeUndefined()
  })

  it('works on an object that takes no new property', () => {
    const state = createSlot<string>('state')
    const frozen = Object.freeze({})
    state.set(frozen, 'verified')
    expect(state.get(frozen)).toBe('verified')
    expect(Object.getOwnPropertySymbols(frozen)).toEqual([])
  })
})
