import { describe, expect, it } from 'vitest'
import { FetchError } from '../../src/keys/fetch.js'
import { parseKeySet } from '../../src/keys/key-set-body.js'
import { signingKey } from '../support/fixtures.js'

describe('parseKeySet', () => {
  it('keeps the key of an entry the previous fetch held, and imports a new one', async () => {
    const [a, b] = [await signingKey('ES256', 'a'), await signingKey('ES256', 'b')]
    const first = parseKeySet({ keys: [a.publicJwk] }, 10, new Map())
    const second = parseKeySet({ keys: [a.publicJwk, b.publicJwk] }, 10, first.json)
    expect(second.usable[0]).toBe(first.usable[0])
    expect(second.usable[1]).not.toBe(first.usable[0])
    expect(second.usable.map((key) => key.kid)).toEqual(['a', 'b'])
  })

  it('skips unusable entries and drops both keys of a duplicated kid', async () => {
    const [a, other] = [await signingKey('ES256', 'a'), await signingKey('ES256', 'a')]
    const b = await signingKey('ES256', 'b')
    const parsed = parseKeySet({ keys: [a.publicJwk, other.publicJwk, b.publicJwk, 'junk'] }, 10, new Map())
    expect(parsed.usable.map((key) => key.kid)).toEqual(['b'])
    expect(parsed.skipped).toBe(3)
  })

  it('refuses a body that is not a key set, too many keys, or none usable', async () => {
    const a = await signingKey('ES256', 'a')
    expect(() => parseKeySet({ nope: [] }, 10, new Map())).toThrow(
      new FetchError('response is not a JSON Web Key Set'),
    )
    expect(() => parseKeySet({ keys: [a.publicJwk, a.publicJwk] }, 1, new Map())).toThrow(
      new FetchError('key set has more than 1 keys'),
    )
    expect(() => parseKeySet({ keys: [{ kty: 'oct', k: 'AAAA' }] }, 10, new Map())).toThrow(
      new FetchError('key set has no usable signing keys'),
    )
  })
})
