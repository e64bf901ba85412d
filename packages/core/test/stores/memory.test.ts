import { memoryStore } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../support/sessions.js'

describe('memoryStore', () => {
  it('forgets a key when its TTL has passed', async () => {
    const clock = manualClock()
    const store = memoryStore({ now: clock.now })
    await store.set('a', 'one', 10)
    clock.advance(9_999)
    expect(await store.get('a')).toBe('one')
    clock.advance(1)
    expect(await store.get('a')).toBeUndefined()
  })

  it('stays within max, dropping the least recently written key', async () => {
    const store = memoryStore({ max: 2 })
    await store.set('a', '1', 60)
    await store.set('b', '2', 60)
    await store.set('a', '1 again', 60)
    await store.set('c', '3', 60)
    expect(await store.get('b')).toBeUndefined()
    expect(await store.get('a')).toBe('1 again')
    expect(await store.get('c')).toBe('3')
  })

  it('swaps only when the current value is the expected one', async () => {
    const store = memoryStore()
    expect(await store.compareAndSwap('k', undefined, 'one', 60)).toBe(true)
    expect(await store.compareAndSwap('k', undefined, 'two', 60)).toBe(false)
    expect(await store.compareAndSwap('k', 'zero', 'two', 60)).toBe(false)
    expect(await store.compareAndSwap('k', 'one', 'two', 60)).toBe(true)
    expect(await store.get('k')).toBe('two')
    expect(await store.compareAndSwap('k', 'two', undefined, 0)).toBe(true)
    expect(await store.get('k')).toBeUndefined()
  })

  it('treats an expired key as absent for compare-and-swap', async () => {
    const clock = manualClock()
    const store = memoryStore({ now: clock.now })
    await store.set('k', 'old', 1)
    clock.advance(1_000)
    expect(await store.compareAndSwap('k', 'old', 'new', 60)).toBe(false)
    expect(await store.compareAndSwap('k', undefined, 'new', 60)).toBe(true)
  })

  it('refuses a bad max', () => {
    expect(() => memoryStore({ max: 0 })).toThrow(new TypeError('"max" must be a positive integer'))
  })
})
