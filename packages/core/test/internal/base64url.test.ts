import { describe, expect, it } from 'vitest'
import { decodeCanonical } from '../../src/internal/base64url.js'

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
