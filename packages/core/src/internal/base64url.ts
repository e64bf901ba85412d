const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
// Sextet of each base64url character; 64 (a bit no sextet has) marks every other character.
const VALUES = new Uint8Array(256).fill(64)
for (let index = 0; index < CHARS.length; index++) VALUES[CHARS.charCodeAt(index)] = index
const value = (text: string, index: number) => VALUES[text.charCodeAt(index)] ?? 64

/**
 * Decodes canonical, unpadded base64url (RFC 7515 2) and returns undefined for anything else:
 * padding, `+` or `/`, whitespace, a dangling character, or non-zero trailing bits.
 */
export function decodeCanonical(segment: string): Uint8Array<ArrayBuffer> | undefined {
  const rest = segment.length % 4
  if (rest === 1) return undefined
  const bytes = new Uint8Array((segment.length * 3) >> 2)
  const whole = segment.length - rest
  // One pass, no regular expression: this runs on every token's header and payload.
  let seen = 0
  let at = 0
  for (let index = 0; index < whole; index += 4) {
    const a = value(segment, index)
    const b = value(segment, index + 1)
    const c = value(segment, index + 2)
    const d = value(segment, index + 3)
    seen |= a | b | c | d
    const word = (a << 18) | (b << 12) | (c << 6) | d
    bytes[at++] = word >> 16
    bytes[at++] = (word >> 8) & 0xff
    bytes[at++] = word & 0xff
  }
  if (rest > 1) {
    const a = value(segment, whole)
    const b = value(segment, whole + 1)
    const c = rest === 3 ? value(segment, whole + 2) : 0
    seen |= a | b | c
    // Trailing bits must be zero, so that one byte string has exactly one encoding (RFC 4648 3.5).
    if ((rest === 2 ? b & 0x0f : c & 0x03) !== 0) return undefined
    const word = (a << 18) | (b << 12) | (c << 6)
    bytes[at++] = word >> 16
    if (rest === 3) bytes[at++] = (word >> 8) & 0xff
  }
  return seen & 64 ? undefined : bytes
}

const CANONICAL_CHARS = /^[A-Za-z0-9_-]*$/

/**
 * {@link decodeCanonical}'s checks, then the bytes as a binary string (one character per byte,
 * `atob`'s form): a token's JSON parts are mostly ASCII, and then that string is their text already.
 * The native `atob` does the decoding, which a loop here does at several times its cost.
 *
 * @example
 * decodeCanonicalBinary('eyJhIjoxfQ') // '{"a":1}'
 */
export function decodeCanonicalBinary(segment: string): string | undefined {
  const rest = segment.length % 4
  if (rest === 1 || !CANONICAL_CHARS.test(segment)) return undefined
  // Trailing bits must be zero, so that one byte string has exactly one encoding (RFC 4648 3.5);
  // atob would drop them silently.
  if (rest > 1 && (VALUES[segment.charCodeAt(segment.length - 1)]! & (rest === 2 ? 0x0f : 0x03)) !== 0)
    return undefined
  return atob(segment.replaceAll('-', '+').replaceAll('_', '/'))
}

/** The bytes of a binary string (characters 0-255), as `atob` returns. */
export function binaryBytes(binary: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}

/** Encodes bytes as unpadded base64url (RFC 7515 2). */
export function encode(bytes: Uint8Array): string {
  let text = ''
  let index = 0
  for (; index + 3 <= bytes.length; index += 3) {
    const word = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!
    text += CHARS[word >> 18]! + CHARS[(word >> 12) & 63]! + CHARS[(word >> 6) & 63]! + CHARS[word & 63]!
  }
  const rest = bytes.length - index
  if (rest > 0) {
    const word = (bytes[index]! << 16) | (rest === 2 ? bytes[index + 1]! << 8 : 0)
    text += CHARS[word >> 18]! + CHARS[(word >> 12) & 63]!
    if (rest === 2) text += CHARS[(word >> 6) & 63]!
  }
  return text
}
