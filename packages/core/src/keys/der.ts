/** One DER element (ITU-T X.690): its tag and where its contents start and end in the input. */
export interface DerElement {
  readonly tag: number
  /** Where the element's header begins. */
  readonly offset: number
  /** Where its contents begin. */
  readonly start: number
  readonly end: number
}

/** Thrown for DER that does not parse; callers turn it into their own message. */
export class DerError extends Error {
  override name = 'DerError'
}

/** Reads the element at `offset`, definite lengths only (DER has no other kind). */
export function readElement(bytes: Uint8Array, offset: number, limit = bytes.length): DerElement {
  if (offset + 2 > limit) throw new DerError('truncated element')
  const tag = bytes[offset]!
  let length = bytes[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    // Four length bytes cover any key; more (or zero: the indefinite form) is not DER for a key.
    if (count === 0 || count > 4 || start + count > limit) throw new DerError('bad length')
    length = 0
    for (let index = 0; index < count; index++) length = length * 256 + bytes[start + index]!
    start += count
  }
  const end = start + length
  if (end > limit) throw new DerError('truncated element')
  return { tag, offset, start, end }
}

/** The elements inside a constructed element (a SEQUENCE, a context tag). */
export function children(bytes: Uint8Array, parent: DerElement): DerElement[] {
  const elements: DerElement[] = []
  for (let offset = parent.start; offset < parent.end; ) {
    const element = readElement(bytes, offset, parent.end)
    elements.push(element)
    offset = element.end
  }
  return elements
}

/** The contents of an element with the expected tag. */
export function expectTag(bytes: Uint8Array, element: DerElement | undefined, tag: number): Uint8Array {
  if (!element || element.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}`)
  return bytes.subarray(element.start, element.end)
}

/** An OBJECT IDENTIFIER's content bytes as hex, to compare with known identifiers. */
export function oidHex(bytes: Uint8Array, element: DerElement | undefined): string {
  let hex = ''
  for (const byte of expectTag(bytes, element, 0x06)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/** A non-negative INTEGER's magnitude, without the sign byte DER adds before a high bit. */
export function unsignedInteger(bytes: Uint8Array, element: DerElement | undefined): Uint8Array {
  const value = expectTag(bytes, element, 0x02)
  if (value.length === 0 || value[0]! & 0x80) throw new DerError('integer is not positive')
  let first = 0
  while (first < value.length - 1 && value[first] === 0) first++
  return value.subarray(first)
}

/** A BIT STRING's bytes; keys are whole bytes, so the unused-bits count must be zero. */
export function bitString(bytes: Uint8Array, element: DerElement | undefined): Uint8Array {
  const value = expectTag(bytes, element, 0x03)
  if (value[0] !== 0) throw new DerError('bit string is not whole bytes')
  return value.subarray(1)
}
