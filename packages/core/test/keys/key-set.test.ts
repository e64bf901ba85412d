import { describe, expect, it } from 'vitest'
import type { VerificationKey } from '../../src/keys/key.js'
import { duplicateKids, localKeySet, selectKeys } from '../../src/keys/key-set.js'

const key = (kid: string | undefined, algorithms: VerificationKey['algorithms']): VerificationKey => ({
  kid,
  algorithms,
  forAlgorithm: async () => new Uint8Array(32),
})

describe('selectKeys', () => {
  const a = key('a', ['ES256'])
  const b = key('b', ['RS256', 'PS256'])

  it('picks the key with the token kid that supports its alg', () => {
    expect(selectKeys([a, b], 'b', 'PS256')).toEqual([b])
    expect(selectKeys([a, b], 'a', 'RS256')).toEqual([])
  })

  it('matches nothing for an unknown kid when keys have kids', () => {
    expect(selectKeys([a, b], 'c', 'ES256')).toEqual([])
  })

  it('tries every key of the alg when no key has a kid', () => {
    const plain = key(undefined, ['ES256'])
    const other = key(undefined, ['ES256'])
    expect(selectKeys([plain, other], 'anything', 'ES256')).toEqual([plain, other])
    expect(selectKeys([plain, other], undefined, 'ES256')).toEqual([plain, other])
  })

  it('matches a token without kid to the only key for its alg, never to several named keys', () => {
    expect(selectKeys([a, b], undefined, 'ES256')).toEqual([a])
    expect(selectKeys([a, key('a2', ['ES256'])], undefined, 'ES256')).toEqual([])
  })
})

describe('localKeySet', () => {
  it('refuses two keys with one kid, naming the option', () => {
    expect(duplicateKids([key('a', ['ES256']), key('a', ['RS256']), key(undefined, ['ES256'])])).toEqual(
      new Set(['a']),
    )
    expect(() => localKeySet([key('a', ['ES256']), key('a', ['ES256'])], 'issuers[1].jwks')).toThrow(
      /"issuers\[1\].jwks" has more than one key with the same "kid"/,
    )
  })
})
