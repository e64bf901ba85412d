import { describe, expect, it } from 'vitest'
import { parseCompact, parseJws } from '../../src/internal/compact.js'
import { claims, forge } from '../support/fixtures.js'

describe('parseJws', () => {
  it('returns the header and the payload bytes, whatever they are', () => {
    const { header, payload } = parseJws(forge({ alg: 'HS256', kid: 'k1' }, 'foo'), 8192)
    expect(header).toMatchObject({ alg: 'HS256', kid: 'k1' })
    expect(Buffer.from(payload).toString()).toBe('foo')
  })

  it('reports a missing token as token_missing', () => {
    expect(() => parseJws('', 8192)).toThrow(expect.objectContaining({ code: 'token_missing', status: 401 }))
  })

  it.each([
    ['alg none', { alg: 'none' }, 'algorithm_not_allowed'],
    ['no alg', { typ: 'JWT' }, 'token_malformed'],
    ['alg not a string', { alg: 256 }, 'token_malformed'],
    ['an embedded jwk', { alg: 'HS256', jwk: {} }, 'token_malformed'],
    ['crit', { alg: 'HS256', crit: ['x'] }, 'token_malformed'],
    ['b64', { alg: 'HS256', b64: true }, 'token_malformed'],
  ])('rejects a header with %s', (_name, header, code) => {
    expect(() => parseJws(forge(header, 'foo'), 8192)).toThrow(expect.objectContaining({ code }))
  })

  it('checks the size before anything else', () => {
    expect(() => parseJws('x'.repeat(300), 256)).toThrow(/larger than 256 bytes/)
  })
})

describe('parseCompact', () => {
  it('requires a JSON object payload (a JWT claims set)', () => {
    expect(parseCompact(forge({ alg: 'HS256' }, claims()), 8192).payload).toMatchObject({ sub: 'alice' })
    expect(() => parseCompact(forge({ alg: 'HS256' }, 'foo'), 8192)).toThrow(/payload is not valid JSON/)
    expect(() => parseCompact(forge({ alg: 'HS256' }, '[]'), 8192)).toThrow(/payload is not a JSON object/)
  })
})

describe('the parts a signature check needs', () => {
  it('gives the signing input as the ASCII bytes of header.payload, and the decoded signature', () => {
    const token = forge({ alg: 'HS256' }, claims())
    const { signingInput, signature } = parseCompact(token, 8192)
    const [head, body, sig] = token.split('.') as [string, string, string]
    expect(new TextDecoder().decode(signingInput)).toBe(`${head}.${body}`)
    expect(Buffer.from(signature).toString('base64url')).toBe(sig)
  })

  it('hands back the parsed header itself, not a copy of it', () => {
    const { header } = parseJws(forge({ alg: 'HS256', typ: 'JWT' }, 'foo'), 8192)
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(header.kid).toBeUndefined()
  })

  it.each(['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64'])(
    'refuses a header naming "%s" among others',
    (name) => {
      const header = { typ: 'JWT', alg: 'HS256', kid: 'k1', [name]: 'x' }
      expect(() => parseJws(forge(header, 'foo'), 8192)).toThrow(
        expect.objectContaining({ code: 'token_malformed', message: expect.stringContaining(`"${name}"`) }),
      )
    },
  )
})
