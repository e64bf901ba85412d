import type { Auth } from './create-auth.js'

/**
 * An HTTP answer in plain parts, for servers that are not fetch-based (Node's `http`, Express).
 *
 * @example
 * const answer: ResourceMetadataAnswer | undefined = resourceMetadataAnswer(auth, 'GET', '/.well-known/oauth-protected-resource')
 */
export interface ResourceMetadataAnswer {
  readonly status: 200
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

// Public metadata: any origin may read it (browser-based MCP clients do), and it may be cached.
const HEADERS = Object.freeze({
  'content-type': 'application/json',
  'cache-control': 'public, max-age=3600',
  'access-control-allow-origin': '*',
})

/**
 * The answer to a request for this API's RFC 9728 metadata, or undefined when the request is not
 * one (another path, a method other than GET or HEAD, or no `resource` configured): route the rest on.
 *
 * @example
 * const answer = resourceMetadataAnswer(auth, req.method, new URL(req.url, 'http://x').pathname)
 * if (answer) return res.writeHead(answer.status, answer.headers).end(answer.body)
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 */
export function resourceMetadataAnswer(
  auth: Pick<Auth<unknown>, 'protectedResourceMetadata' | 'resourceMetadataPath'>,
  method: string | undefined,
  pathname: string,
): ResourceMetadataAnswer | undefined {
  const document = auth.protectedResourceMetadata()
  if (document === undefined || pathname !== auth.resourceMetadataPath) return undefined
  if (method !== 'GET' && method !== 'HEAD') return undefined
  return { status: 200, headers: HEADERS, body: JSON.stringify(document) }
}

/**
 * {@link resourceMetadataAnswer} for fetch-based servers: a `Response` for a metadata request, or
 * undefined for any other request.
 *
 * @example
 * export default { fetch: (request: Request) => resourceMetadataResponse(auth, request) ?? app.fetch(request) }
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 */
export function resourceMetadataResponse(
  auth: Pick<Auth<unknown>, 'protectedResourceMetadata' | 'resourceMetadataPath'>,
  request: Request,
): Response | undefined {
  if (auth.resourceMetadataPath === undefined) return undefined
  const answer = resourceMetadataAnswer(auth, request.method, new URL(request.url).pathname)
  if (answer === undefined) return undefined
  return new Response(request.method === 'HEAD' ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  })
}
