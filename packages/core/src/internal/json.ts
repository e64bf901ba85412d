import { AuthError } from '../errors.js'
import { binaryBytes } from './base64url.js'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

const malformed = (message: string) => new AuthError('token_malformed', message)
// One decoder for every token: decode() without { stream } keeps no state between calls. ignoreBOM
// keeps a byte-order mark in the text instead of dropping it silently (it is refused below anyway).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d

/**
 * Whether valid JSON `text` names a member twice in one object, nested objects included, comparing
 * names after unescaping (`"s\u0075b"` is `"sub"`). One pass over the text, no allocation for
 * strings without escapes beyond the name itself. Only for text `JSON.parse` accepted.
 *
 * @example
 * hasDuplicateName('{"sub":"a","s\\u0075b":"b"}') // true
 */
export function hasDuplicateName(text: string): boolean {
  const outer: Array<Set<string> | undefined> = []
  // The names of the innermost object, or undefined inside an array or at the top.
  let names: Set<string> | undefined
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) {
      const start = i
      let escaped = false
      for (i++; text.charCodeAt(i) !== QUOTE; i++)
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true
          i++
        }
      if (names === undefined) continue
      // A string is a member name when a colon follows it; otherwise it is a value.
      let next = i + 1
      while (isSpace(text.charCodeAt(next))) next++
      if (text.charCodeAt(next) !== COLON) continue
      const name = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i)
      if (names.has(name)) return true
      names.add(name)
      i = next
    } else if (code === OPEN_OBJECT) {
      outer.push(names)
      names = new Set()
    } else if (code === OPEN_ARRAY) {
      outer.push(names)
      names = undefined
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      names = outer.pop()
    }
  }
  return false
}

/** Members in a parsed JSON value, nested ones included: one per distinct name in each object. */
function countMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0
  let count = 0
  if (Array.isArray(value)) {
    for (const item of value) count += countMembers(item)
    return count
  }
  for (const key in value) count += 1 + countMembers((value as Record<string, unknown>)[key])
  return count
}

/**
 * Colons right after a quote (spaces between allowed): every member name ends so, and a colon inside
 * a string rarely does (`"https://..."` does not). With no duplicate this equals
 * {@link countMembers}; a duplicate, or a string holding `":`, makes it larger.
 */
function countNameColons(text: string): number {
  let count = 0
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) {
    let before = at - 1
    while (isSpace(text.charCodeAt(before))) before--
    if (text.charCodeAt(before) === QUOTE) count++
  }
  return count
}

/**
 * Parses a token part as a JSON object, strictly: UTF-8, no byte-order mark, no member named twice.
 * `JSON.parse` keeps the last of two members silently, while another parser on the way (a gateway,
 * a log pipeline) may keep the first: the token would mean different things to each.
 *
 * @example
 * parseJsonObject(new TextEncoder().encode('{"alg":"HS256"}'), 'header') // { alg: 'HS256' }
 */
export function parseJsonObject(bytes: Uint8Array, part: string): Record<string, unknown> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    throw malformed(`token ${part} starts with a byte-order mark`)
  let text: string
  try {
    text = UTF8.decode(bytes)
  } catch {
    throw malformed(`token ${part} is not valid JSON`)
  }
  return parseJsonText(text, part)
}

const NON_ASCII = /[\u0080-\uffff]/

/**
 * {@link parseJsonObject} for bytes given as a binary string (one character per byte, as `atob`
 * returns them): ASCII text, the common case, is parsed as it is, with no copy and no UTF-8 decoder;
 * anything else takes the byte path, with its UTF-8 and byte-order-mark checks.
 *
 * @example
 * parseJsonBinary(atob('eyJhbGciOiJIUzI1NiJ9'), 'header') // { alg: 'HS256' }
 */
export function parseJsonBinary(binary: string, part: string): Record<string, unknown> {
  return NON_ASCII.test(binary) ? parseJsonObject(binaryBytes(binary), part) : parseJsonText(binary, part)
}

function parseJsonText(text: string, part: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw malformed(`token ${part} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`token ${part} is not a JSON object`)
  // Cheap first: each of the text's members ends in a counted colon, so equal counts prove that no
  // name repeats (the text has no more members than the parsed value). Otherwise, the full scan.
  if (countNameColons(text) !== countMembers(value) && hasDuplicateName(text))
    throw malformed(`token ${part} names a member twice`)
  return value as Record<string, unknown>
}
