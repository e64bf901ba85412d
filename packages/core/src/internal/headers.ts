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
 * A framework's request that wraps the platform's, which is what gets read: Fastify's `request`
 * and Hono's `c.req` (their `.raw`), Koa's `ctx` and `ctx.request` (their `.req`).
 *
 * @example
 * app.get('/', (c) => auth.authenticate(c.req)) // Hono
 * fastify.get('/', (request) => auth.authenticate(request)) // Fastify
 */
export type WrappedRequestLike =
  | { readonly raw: Request | NodeRequestLike }
  | { readonly req: NodeRequestLike | { readonly raw: Request } }

/**
 * What `authenticate` accepts: a Fetch `Request`, a Node `IncomingMessage` (Express, Next pages,
 * tRPC standalone), a framework's request wrapping one of them ({@link WrappedRequestLike}), a
 * `Headers` object, or a plain header record. Anything else is a `TypeError` naming what was given.
 *
 * @example
 * await auth.authenticate(new Request(url, { headers }))
 */
export type RequestLike =
  | Request
  | Headers
  | NodeRequestLike
  | WrappedRequestLike
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
      const value: unknown = headers.get(name)
      // A Headers look-alike may hand back anything: only a string is a header value.
      return typeof value === 'string' ? [value] : EMPTY
    },
  }
}

function fromRecord(record: Readonly<Record<string, unknown>>): HeaderReader {
  return {
    all(name) {
      const values: string[] = []
      for (const key of Object.keys(record)) {
        // The length first: most names differ in it, and lower-casing allocates a string.
        if (key.length !== name.length || key.toLowerCase() !== name) continue
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
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const key: unknown = raw[i]
        const value: unknown = raw[i + 1]
        if (
          typeof key === 'string' &&
          typeof value === 'string' &&
          key.length === name.length &&
          key.toLowerCase() === name
        )
          values.push(value)
      }
      return values
    },
  }
}

// By tag, not instanceof: it also catches another realm's or a polyfill's, and costs a few ns where
// `instanceof FormData` costs some 20 (Node 20).
const CLIENT_CONTENT = new Set<unknown>(['URLSearchParams', 'FormData'])
const isClientContent = (value: object) =>
  CLIENT_CONTENT.has((value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag])

/**
 * A Fetch `Headers`, also from another realm or a ponyfill (Yoga's `@whatwg-node/fetch`), which
 * `instanceof` misses: anything whose `get` and `has` are functions.
 */
function isHeaders(value: unknown): value is Headers {
  if (typeof value !== 'object' || value === null) return false
  if (typeof Headers !== 'undefined' && value instanceof Headers) return true
  // A Map has get and has too, but matches names case-sensitively: 'Authorization' would be missed.
  // A query string or a form body has them as well, and is client content, never headers: reading it
  // would take a credential from a URL or a cross-site form.
  if (value instanceof Map || value instanceof WeakMap || isClientContent(value)) return false
  return typeof (value as Headers).get === 'function' && typeof (value as Headers).has === 'function'
}

const isPlain = (value: object) => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * A plain header record: a plain object none of whose values is a function or an instance of a class
 * (a `Request`, an `IncomingMessage`, a framework's context). Values that JSON can hold (numbers,
 * plain objects) are request content, read as no header: a record built from client data (tRPC
 * `connectionParams`) never makes `authenticate` throw.
 */
function isHeaderRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || !isPlain(value)) return false
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key]
    if (typeof item === 'function') return false
    if (typeof item === 'object' && item !== null && !Array.isArray(item) && !isPlain(item)) return false
  }
  return true
}

// Frameworks keep the platform's request here: Fastify and Hono under `raw`, Koa under `req`.
const WRAPPED = ['raw', 'req'] as const

function readerOf(value: unknown, depth: number): HeaderReader | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { rawHeaders } = value as { rawHeaders?: unknown }
  // Node merges or drops repeated headers (it keeps only the first Authorization), so read raw lines.
  // Before `headers`: on an IncomingMessage that is a getter building the merged record on first read.
  if (Array.isArray(rawHeaders)) return fromRawHeaders(rawHeaders)
  const { headers } = value as { headers?: unknown }
  if (isHeaders(headers)) return fromHeaders(headers)
  // A wrapper's own `headers` is a merged copy (Fastify's is Node's record): read what it wraps.
  if (depth < 2)
    for (const key of WRAPPED) {
      const inner = readerOf((value as Record<string, unknown>)[key], depth + 1)
      if (inner) return inner
    }
  // After the wrappers: Koa's ctx has `get` (a request header) and `has` (a response header).
  if (isHeaders(value)) return fromHeaders(value)
  if (isHeaderRecord(headers)) return fromRecord(headers)
  if (isHeaderRecord(value)) return fromRecord(value)
  return undefined
}

/** What was passed, for a `TypeError`: its type or class, and for a plain object its first keys, never values. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(typeof value)
  const name = Object.getPrototypeOf(value)?.constructor?.name
  if (typeof name === 'string' && name !== '' && name !== 'Object')
    return `an instance of ${name.slice(0, 64)}`
  const keys = Object.keys(value)
    .slice(0, 5)
    .map((key) => key.replace(/[^\w$-]/g, '').slice(0, 32))
  return keys.length ? `an object with keys ${keys.join(', ')}` : 'an object'
}

/**
 * Wraps any {@link RequestLike} in a {@link HeaderReader}. Anything else (`undefined`, a framework's
 * context held under another key, `{ request }`) is a `TypeError` naming what was given: read as no headers, it would
 * quietly make every request anonymous.
 *
 * @example
 * headerReader(request).all('authorization') // ['Bearer eyJ...']
 */
export function headerReader(request: RequestLike): HeaderReader {
  const reader = readerOf(request, 0)
  if (reader) return reader
  throw new TypeError(
    `expected a request (a Fetch Request, a Node IncomingMessage, Fastify's request, Hono's c.req, Koa's ctx, Headers or a header record), got ${describe(request)}`,
  )
}
