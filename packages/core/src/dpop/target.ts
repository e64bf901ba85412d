import type { RequestLike } from '../internal/headers.js'
import type { NormalizedDpop } from './options.js'

/** The method and URL a DPoP proof must name (`htm`, `htu`). */
export interface RequestTarget {
  readonly method: string
  /** The URL, normalised by {@link normalizeHtu}. */
  readonly url: string
}

// RFC 3986 2.3: unreserved characters, which percent-encoding must not change the meaning of.
const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * A URL as RFC 9449 4.3 compares it: no query, no fragment, scheme and host in lower case, no
 * default port, dot segments removed, and percent-encoding normalised (RFC 3986 6.2.2). Undefined
 * when it is no absolute http(s) URL.
 *
 * @example
 * normalizeHtu('HTTPS://API.Example.com:443/a/%7euser?x=1#f') // 'https://api.example.com/a/~user'
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.3
 */
export function normalizeHtu(value: string | URL): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  const path = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : encoded.toUpperCase()
  })
  return `${url.protocol}//${url.host}${path}`
}

interface NodeLike {
  readonly method?: unknown
  readonly url?: unknown
  readonly originalUrl?: unknown
  readonly headers?: unknown
  readonly socket?: { readonly encrypted?: unknown } | null
}

/** What a request says of itself: its method, its URL, and (a Node request) the path it asked for. */
interface OwnTarget {
  readonly method: string
  /** Undefined when the request's `Host` is missing or no host[:port]. */
  readonly url: string | undefined
  /** The request-target as received (origin form), when the request has one: never from `Host`. */
  readonly path?: string
}

/** A Fetch `Request`: an absolute `url`. A Node request: a path, with `Host` and its socket. */
function ownTarget(value: unknown, depth: number): OwnTarget | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const request = value as NodeLike
  // A request has headers of its own: a header record holding "method" and "url" is client data.
  const isRequest = typeof request.headers === 'object' && request.headers !== null
  if (isRequest && typeof request.method === 'string' && typeof request.url === 'string') {
    if (!request.url.startsWith('/')) return { method: request.method, url: request.url }
    const headers = request.headers
    // Express rewrites `url` under a mounted router; `originalUrl` is what the client asked for.
    const path = typeof request.originalUrl === 'string' ? request.originalUrl : request.url
    const host = hostOf(headers)
    const scheme = request.socket?.encrypted === true ? 'https' : 'http'
    return {
      method: request.method,
      url: host === undefined ? undefined : `${scheme}://${host}${path}`,
      path,
    }
  }
  // Fastify and Hono keep the platform's request under `raw`, Koa under `req`.
  if (depth < 2)
    for (const key of ['raw', 'req'] as const) {
      const inner = ownTarget((value as Record<string, unknown>)[key], depth + 1)
      if (inner) return inner
    }
  return undefined
}

// RFC 9110 7.2 / RFC 3986 3.2.2: a host name, an IPv4 or a bracketed IPv6 literal, then an optional
// port. Nothing that would end the authority (`/`, `?`, `#`), name a user (`@`) or read as `/` (`\\`):
// those would move the path the URL is parsed with.
const HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]*)?$/

function hostOf(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined
  const host = (headers as Record<string, unknown>).host
  return typeof host === 'string' && HOST.test(host) ? host : undefined
}

/** The path of a request-target without its query or fragment; the path of an absolute one. */
function pathOf(own: OwnTarget): string | undefined {
  if (own.path?.startsWith('/')) return own.path.replace(/[?#][\s\S]*$/, '')
  return own.url !== undefined && URL.canParse(own.url) ? new URL(own.url).pathname : undefined
}

/**
 * The method and public URL of a request, or undefined when the request does not tell them (a
 * header record, a `Headers` object): a proof cannot be checked against those.
 *
 * @example
 * requestTarget(new Request('https://api.example.com/x?y'), options) // { method: 'GET', url: 'https://api.example.com/x' }
 */
export function requestTarget(
  request: RequestLike,
  options: Pick<NormalizedDpop, 'publicUrl' | 'url'>,
): RequestTarget | undefined {
  const own = ownTarget(request, 0)
  if (own === undefined) return undefined
  let url: string | undefined
  if (options.url !== undefined) url = normalizeHtu(options.url(request))
  else if (options.publicUrl !== undefined) {
    // Only the path comes from the request: its Host header and absolute form are the client's to write.
    const path = pathOf(own)
    url = path === undefined ? undefined : normalizeHtu(`${options.publicUrl}${path}`)
  } else url = own.url === undefined ? undefined : normalizeHtu(own.url)
  return url === undefined ? undefined : { method: own.method, url }
}
