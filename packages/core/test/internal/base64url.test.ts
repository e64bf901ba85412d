import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { binaryBytes, decodeCanonical, decodeCanonicalBinary, encode } from '../../src/internal/base64url.js'

describe('decodeCanonical', () => {
  it('decodes canonical unpadded base64url', () => {
    expect(Buffer.from(decodeCanonical('Zm9v')!).toString()).toBe('foo')
    expect(Buffer.from(decodeCanonical('Zm8')!).toString()).toBe('fo')
    expect(decodeCanonical('')?.byteLength).toBe(0)
  })

  it.each([
    ['padding', 'Zm8='],
    ['"+"', 'a+b_'],
    ['"/"', 'a/b-'],
    ['whitespace', 'Zm 9v'],
    ['a dangling character', 'Zm9vY'],
    ['nonzero trailing bits', 'Zm9'],
    ['non-ASCII', 'Zm9v\u00e9'],
  ])('refuses %s', (_name, text) => {
    expect(decodeCanonical(text)).toBeUndefined()
  })
})

describe('encode', () => {
  it('round-trips every byte string through decodeCanonical, as Node encodes it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encode(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64url'))
        expect(decodeCanonical(text)).toEqual(bytes)
      }),
    )
  })
})

describe('decodeCanonicalBinary', () => {
  it('gives the bytes as a binary string, one character per byte', () => {
    expect(decodeCanonicalBinary('eyJhIjoxfQ')).toBe('{"a":1}')
    expect(decodeCanonicalBinary('_-8')).toBe('\u00ff\u00ef')
    expect(decodeCanonicalBinary('')).toBe('')
  })

  it.each([
    ['padding', 'Zm8='],
    ['"+"', 'a+b_'],
    ['"/"', 'a/b-'],
    ['whitespace', 'Zm 9v'],
    ['a dangling character', 'Zm9vY'],
    ['nonzero trailing bits', 'Zm9'],
    ['nonzero trailing bits after one byte', 'Zh'],
    ['non-ASCII', 'Zm9v\u00e9'],
  ])('refuses %s, as decodeCanonical does', (_name, text) => {
    expect(decodeCanonicalBinary(text)).toBeUndefined()
  })

  it('agrees with decodeCanonical on every string of base64url characters and a few others', () => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .'.split('')
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 24 }), (list) => {
        const text = list.join('')
        const binary = decodeCanonicalBinary(text)
        const bytes = decodeCanonical(text)
        expect(binary === undefined ? undefined : binaryBytes(binary)).toEqual(bytes)
      }),
      { numRuns: 2000 },
    )
  })
})
