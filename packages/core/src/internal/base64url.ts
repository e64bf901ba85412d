const ALPHABET = /^[A-Za-z0-9_-]*$/
const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUES = new Uint8Array(128)
for (let index = 0; index < CHARS.length; index++) VALUES[CHARS.charCodeAt(index)] = index

/**
 * Decodes canonical, unpadded base64url (RFC 7515 2) and returns undefined for anything else:
 * padding, `+` or `/`, whitespace, a dangling character, or non-zero trailing bits.
 */
export function decodeCanonical(segment: string): Uint8Array<ArrayBuffer> | undefined {
  const rest = segment.length % 4
  if (rest === 1 || !ALPHABET.test(segment)) return undefined
  // Trailing bits must be zero, so that one byte string has exactly one encoding (RFC 4648 3.5).
  if (rest > 1 && (VALUES[segment.charCodeAt(segment.length - 1)]! & (rest === 2 ? 0x0f : 0x03)) !== 0)
    return undefined
  const bytes = new Uint8Array((segment.length * 3) >> 2)
  let at = 0
  let index = 0
  for (; index + 4 <= segment.length; index += 4) {
    const word =
      (VALUES[segment.charCodeAt(index)]! << 18) |
      (VALUES[segment.charCodeAt(index + 1)]! << 12) |
      (VALUES[segment.charCodeAt(index + 2)]! << 6) |
      VALUES[segment.charCodeAt(index + 3)]!
    bytes[at++] = word >> 16
    bytes[at++] = (word >> 8) & 0xff
    bytes[at++] = word & 0xff
  }
  if (rest >= 2) {
    const word =
      (VALUES[segment.charCodeAt(index)]! << 18) |
      (VALUES[segment.charCodeAt(index + 1)]! << 12) |
      (rest === 3 ? VALUES[segment.charCodeAt(index + 2)]! << 6 : 0)
    bytes[at++] = word >> 16
    if (rest === 3) bytes[at++] = (word >> 8) & 0xff
  }
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
