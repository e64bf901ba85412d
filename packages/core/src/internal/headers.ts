/**
 * A Node `IncomingMessage`, or anything shaped like one.
 *
 * @example
 * http.createServer(async (req, res) => { const result = await auth.authenticate(req) })
 */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly rawHeaders?: readonly string[]
}

/**
 * What `authenticate` accepts: a Fetch `Request`, a Node `IncomingMessage` (Express, Next pages,
 * tRPC standalone), a `Headers` object, or a plain header record.
 *
 * @example
 * await auth.authenticate(new Request(url, { headers }))
 */
export type RequestLike =
  | Request
  | Headers
  | NodeRequestLike
  | Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * Reads every value of a header, one entry per header line where the transport kept them apart.
 *
 * @example
 * const token = bearer().read(headerReader(request))
 */
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

/**
 * A Fetch `Headers`, also from another realm or a ponyfill (Yoga's `@whatwg-node/fetch`), which
 * `instanceof` misses: anything whose `get` and `has` are functions.
 */
function isHeaders(value: unknown): value is Headers {
  if (typeof value !== 'object' || value === null) return false
  if (typeof Headers !== 'undefined' && value instanceof Headers) return true
  return typeof (value as Headers).get === 'function' && typeof (value as Headers).has === 'function'
}

/**
 * Wraps any {@link RequestLike} in a {@link HeaderReader}; anything unrecognized reads as no headers.
 *
 * @example
 * headerReader(request).all('authorization') // ['Bearer eyJ...']
 */
export function headerReader(request: RequestLike | null | undefined): HeaderReader {
  if (typeof request !== 'object' || request === null) return fromRecord({})
  if (isHeaders(request)) return fromHeaders(request)
  const headers = (request as { headers?: unknown }).headers
  if (isHeaders(headers)) return fromHeaders(headers)
  // Node merges or drops repeated headers (it keeps only the first Authorization), so read raw lines.
  const raw = (request as NodeRequestLike).rawHeaders
  if (Array.isArray(raw)) return fromRawHeaders(raw)
  if (typeof headers === 'object' && headers !== null) return fromRecord(headers as Record<string, unknown>)
  return fromRecord(request as Record<string, unknown>)
}
