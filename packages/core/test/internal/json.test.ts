import { describe, expect, it } from 'vitest'
import { binaryBytes } from '../../src/internal/base64url.js'
import { hasDuplicateName, parseJsonBinary, parseJsonObject } from '../../src/internal/json.js'

const bytes = (text: string) => new TextEncoder().encode(text)

const duplicates = [
  '{"a":1,"a":2}',
  '{"a":1, "a" :2}',
  '{"a":1,"\\u0061":2}',
  '{"x":{"b":[1,{"c":1,"c":2}]}}',
  '{"a":"}","b":{"a":1},"b":2}',
  '{"\\"":1,"\\"":2}',
  '{"iss":"https://x","sub":"a","sub":"b"}',
]

describe('hasDuplicateName', () => {
  it.each(duplicates)('finds the duplicate in %s', (text) => {
    expect(hasDuplicateName(text)).toBe(true)
  })

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":2}]',
    '{"a":"a:","b":"\\"a\\":"}',
    '{"a":["a","a"],"b":"\\\\"}',
    '{}',
  ])('finds none in %s', (text) => {
    expect(hasDuplicateName(text)).toBe(false)
  })
})

describe('parseJsonObject', () => {
  it.each(duplicates)('refuses %s, whichever path finds it', (text) => {
    expect(() => parseJsonObject(bytes(text), 'payload')).toThrow(
      expect.objectContaining({ code: 'token_malformed', message: 'token payload names a member twice' }),
    )
  })

  it('accepts a value holding a quote and a colon, which only the full scan tells from a name', () => {
    expect(parseJsonObject(bytes('{"a":"x\\":y","b" : "\\" :"}'), 'payload')).toEqual({ a: 'x":y', b: '" :' })
  })

  it('parses an object', () => {
    expect(parseJsonObject(bytes('{"sub":"alice"}'), 'payload')).toEqual({ sub: 'alice' })
  })

  it.each([
    ['a byte-order mark', '\ufeff{"a":1}', 'token payload starts with a byte-order mark'],
    ['a byte-order mark after a space', ' \ufeff{"a":1}', 'token payload is not valid JSON'],
    ['a duplicate name', '{"a":1,"a":2}', 'token payload names a member twice'],
    ['an array', '[1]', 'token payload is not a JSON object'],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseJsonObject(bytes(text), 'payload')).toThrow(
      expect.objectContaining({ code: 'token_malformed', message }),
    )
  })
})

describe('parseJsonBinary', () => {
  // A binary string holds one character per byte, as atob gives them.
  const binary = (text: string) => String.fromCharCode(...new TextEncoder().encode(text))

  it('parses ASCII and UTF-8 text alike, as parseJsonObject does from the same bytes', () => {
    for (const text of ['{"sub":"alice"}', '{"name":"Zoë","city":"東京"}', '{"emoji":"😀"}']) {
      expect(parseJsonBinary(binary(text), 'payload')).toEqual(
        parseJsonObject(binaryBytes(binary(text)), 'payload'),
      )
      expect(parseJsonBinary(binary(text), 'payload')).toEqual(JSON.parse(text))
    }
  })

  it.each([
    ['a byte-order mark', binary('\uFEFF{"a":1}'), /byte-order mark/],
    ['invalid UTF-8', '{"a":"\u00ff"}', /not valid JSON/],
    ['a member named twice', binary('{"a":1,"a":2}'), /names a member twice/],
    ['an array', binary('[1]'), /not a JSON object/],
    ['no JSON', binary('{"a":'), /not valid JSON/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseJsonBinary(text, 'payload')).toThrow(
      expect.objectContaining({ code: 'token_malformed', message: expect.stringMatching(message) }),
    )
  })
})
