const ALPHABET = /^[A-Za-z0-9_-]*$/

/**
 * Decodes canonical, unpadded base64url (RFC 7515 2) and returns undefined for anything else:
 * padding, `+` or `/`, whitespace, a dangling character, or non-zero trailing bits.
 */
export function decodeCanonical(segment: string): Uint8Array | undefined {
  if (!ALPHABET.test(segment) || segment.length % 4 === 1) return undefined
  const bytes = Buffer.from(segment, 'base64url')
  // Trailing bits must be zero: re-encoding must give back the same text.
  if (bytes.toString('base64url') !== segment) return undefined
  return bytes
}

export function encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}
