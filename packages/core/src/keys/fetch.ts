/**
 * Why a key set or discovery fetch failed, in our own words. Its message is safe to report: it never
 * holds text from the network stack, the response, or a configured header value.
 *
 * @example
 * throw new FetchError('response is not JSON')
 */
export class FetchError extends Error {
  override name = 'FetchError'
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * True for https URLs, and for plain http on loopback (development only).
 *
 * @example
 * isSecureUrl(new URL('http://127.0.0.1:8080/jwks')) // true
 */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
}

// RFC 9110 5.1 (field-name is a token) and 5.5: CR, LF and NUL never belong in a field value.
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const FORBIDDEN_IN_VALUE = /[\r\n\0]/

/**
 * Checks configured request headers once, at construction: a `TypeError` names the option and the
 * header, never its value (it is often a credential).
 *
 * @example
 * checkHeaders({ 'x-api-key': 'a\nb' }, 'jwksOptions.headers') // TypeError: "jwksOptions.headers.x-api-key" must not contain CR, LF or NUL
 */
export function checkHeaders(headers: unknown, option: string): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw new TypeError(`"${option}" must be an object of header names to string values`)
  const checked: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!FIELD_NAME.test(name)) throw new TypeError(`"${option}" has a header name that is not an HTTP token`)
    if (typeof value !== 'string') throw new TypeError(`"${option}.${name}" must be a string`)
    if (FORBIDDEN_IN_VALUE.test(value))
      throw new TypeError(`"${option}.${name}" must not contain CR, LF or NUL`)
    checked[name] = value
  }
  return Object.freeze(checked)
}

/**
 * Reads a response body up to `maxBytes`, failing past it.
 *
 * @example
 * const text = await readLimited(await fetch(url), 256 * 1024)
 */
export async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw new FetchError(`response is larger than ${maxBytes} bytes`)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new FetchError(`response is larger than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  const utf8 = new TextDecoder()
  return chunks.map((chunk, index) => utf8.decode(chunk, { stream: index < chunks.length - 1 })).join('')
}

/**
 * How many same-origin redirects one fetch follows (e.g. `/jwks` to `/jwks/`).
 *
 * @example
 * if (hop >= MAX_REDIRECTS) throw new FetchError('too many redirects')
 */
export const MAX_REDIRECTS = 3

/**
 * Options of {@link fetchJson}.
 *
 * @example
 * const options: FetchJsonOptions = { timeout: 5, maxBytes: 262144 }
 */
export interface FetchJsonOptions {
  /** Seconds for the whole fetch, redirects and body included. */
  readonly timeout: number
  readonly maxBytes: number
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly fetch?: typeof fetch | undefined
}

/**
 * GETs a JSON document with a timeout and a size limit. Redirects are followed by hand, at most
 * {@link MAX_REDIRECTS}, and only within the origin first asked: a hop to another host, or from https
 * to http, could install keys served by whoever answered it. Throws {@link FetchError}s, or the
 * fetch implementation's own error (see {@link reasonOf} for what of it may be reported).
 *
 * @example
 * const jwks = await fetchJson('https://id.example.com/jwks', { timeout: 5, maxBytes: 262144 })
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch
  const signal = AbortSignal.timeout(options.timeout * 1000)
  const origin = new URL(url).origin
  let location = url
  for (let hop = 0; ; hop++) {
    const response = await doFetch(location, {
      headers: { accept: 'application/json', ...options.headers },
      redirect: 'manual',
      signal,
    })
    // A browser-like fetch hides a manual redirect behind an opaque response: refuse it.
    if (response.type === 'opaqueredirect') throw new FetchError('redirect refused')
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel()
      if (hop >= MAX_REDIRECTS) throw new FetchError(`more than ${MAX_REDIRECTS} redirects`)
      let next: URL
      try {
        next = new URL(response.headers.get('location')!, location)
      } catch {
        throw new FetchError('redirected to an invalid URL')
      }
      if (next.origin !== origin || next.username !== '' || next.password !== '')
        throw new FetchError('redirected to another origin')
      location = next.href
      continue
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new FetchError(`HTTP ${response.status}`)
    }
    const text = await readLimited(response, options.maxBytes)
    try {
      return JSON.parse(text)
    } catch {
      throw new FetchError('response is not JSON')
    }
  }
}

/**
 * What may be reported of a failed fetch: our own {@link FetchError} messages, "timed out", or a
 * system error code (`ECONNREFUSED`). Other text (an error from a custom `fetch`, which may quote a
 * URL or a header) is never passed on.
 *
 * @example
 * reasonOf(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })) // 'request failed (ECONNREFUSED)'
 */
export function reasonOf(error: unknown): string {
  if (error instanceof FetchError) return error.message
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out'
    const code = (error.cause as { code?: unknown } | undefined)?.code
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return `request failed (${code})`
  }
  return 'request failed'
}
