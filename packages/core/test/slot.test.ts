import { describe, expect, it } from 'vitest'
import { createSlot } from '../src/slot.js'

describe('createSlot (per-request state on the object)', () => {
  it('keeps a value on the object, hidden from spreading and from other slots', () => {
    const state = createSlot<string>()
    const other = createSlot<string>()
    const context = { request: 'r' }
    state.set(context, 'verified')
    expect(state.get(context)).toBe('verified')
    expect(other.get(context)).toBeUndefined()
    expect(Object.keys(context)).toEqual(['request'])
    expect(state.get({ ...context })).toBeUndefined()
    expect(Object.getOwnPropertySymbols(context)).toEqual([])
    expect(JSON.stringify(context)).toBe('{"request":"r"}')
  })

  it('replaces the value on a second set', () => {
    const state = createSlot<string>()
    const request = {}
    state.set(request, 'pending')
    state.set(request, 'settled')
    expect(state.get(request)).toBe('settled')
  })

  it('works on an object that takes no new property', () => {
    const state = createSlot<string>()
    const frozen = Object.freeze({})
    state.set(frozen, 'verified')
    expect(state.get(frozen)).toBe('verified')
    expect(Object.getOwnPropertySymbols(frozen)).toEqual([])
  })
})
