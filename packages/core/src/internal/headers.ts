/** A Node `IncomingMessage`, or anything shaped like one. */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly rawHeaders?: readonly string[]
}

/**
 * What `authenticate` accepts: a Fetch `Request`, a Node `IncomingMessage` (Express, Next pages,
 * tRPC standalone), a `Headers` object, or a plain header record.
 */
export type RequestLike =
  | Request
  | Headers
  | NodeRequestLike
  | Readonly<Record<string, string | readonly string[] | undefined>>

/** Reads every value of a header, one entry per header line where the transport kept them apart. */
export interface HeaderReader {
  all(name: 'authorization' | 'cookie' | (string & {})): readonly string[]
}

const EMPTY: readonly string[] = []

function fromHeaders(headers: Headers): HeaderReader {
  return {
    all(name) {
      const value = headers.get(name)
      return value === null ? EMPTY : [value]
    },
  }
}

function fromRecord(record: Readonly<Record<string, unknown>>): HeaderReader {
  return {
    all(name) {
      const values: string[] = []
      for (const key of Object.keys(record)) {
        if (key.toLowerCase() !== name) continue
        const value = record[key]
        if (typeof value === 'string') values.push(value)
        else if (Array.isArray(value))
          for (const item of value) if (typeof item === 'string') values.push(item)
      }
      return values
    },
  }
}

function fromRawHeaders(raw: readonly string[]): HeaderReader {
  return {
    all(name) {
      const values: string[] = []
      for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) values.push(raw[i + 1]!)
      return values
    },
  }
}

/** A Fetch `Headers` from another implementation (a ponyfill): it has `get`, `has` and `forEach`. */
function isHeadersLike(value: unknown): value is Headers {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Headers).get === 'function' &&
    typeof (value as Headers).has === 'function' &&
    typeof (value as Headers).forEach === 'function'
  )
}

/** Wraps any {@link RequestLike} in a {@link HeaderReader}; anything unrecognized reads as no headers. */
export function headerReader(request: RequestLike | null | undefined): HeaderReader {
  if (typeof request !== 'object' || request === null) return fromRecord({})
  if (typeof Headers !== 'undefined' && request instanceof Headers) return fromHeaders(request)
  const headers = (request as { headers?: unknown }).headers
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return fromHeaders(headers)
  // A Fetch Request from a ponyfill (Yoga's @whatwg-node/fetch on Node) has a Headers class of its
  // own: read it through `get` rather than copying it into a global Headers on every request.
  if (isHeadersLike(headers)) return fromHeaders(headers)
  // Node merges or drops repeated headers (it keeps only the first Authorization), so read raw lines.
  const raw = (request as NodeRequestLike).rawHeaders
  if (Array.isArray(raw)) return fromRawHeaders(raw)
  if (typeof headers === 'object' && headers !== null) return fromRecord(headers as Record<string, unknown>)
  return fromRecord(request as Record<string, unknown>)
}
