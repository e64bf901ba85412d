import { AuthError } from '../errors.js'
import { hasDuplicateName } from '../internal/json.js'
import { FetchError, readLimited, reasonOf } from '../keys/fetch.js'
import type { NormalizedIntrospection } from './options.js'

const unavailable = (reason: string) =>
  new AuthError('introspection_unavailable', `token introspection failed: ${reason}`)

/**
 * POSTs a token to the introspection endpoint and returns the claims of an active token. A fault of
 * the endpoint (down, slow, not 200, a redirect, not a JSON object, too big, no boolean `active`) is a
 * 503 `introspection_unavailable`; `active: false` is a 401 `token_inactive`. Messages never hold the
 * token, the client secret or text from the response.
 *
 * @example
 * const claims = await introspect(token, config) // { active: true, sub, scope, exp, ... }
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspect(
  token: string,
  config: NormalizedIntrospection,
): Promise<Record<string, unknown>> {
  const doFetch = config.fetch ?? globalThis.fetch
  let text: string
  try {
    const client = await config.clientAuth()
    const response = await doFetch(config.endpoint, {
      method: 'POST',
      headers: {
        ...config.headers,
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        ...client.headers,
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token', ...client.form }).toString(),
      // A redirected POST would carry the token and the client secret to wherever it points.
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeout * 1000),
    })
    if (response.status !== 200) {
      await response.body?.cancel()
      throw new FetchError(
        response.type === 'opaqueredirect' ? 'redirect refused' : `HTTP ${response.status}`,
      )
    }
    text = await readLimited(response, config.maxBytes)
  } catch (error) {
    throw unavailable(reasonOf(error))
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw unavailable('response is not JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw unavailable('response is not a JSON object')
  // JSON.parse keeps the last of two "active" (or "aud") members; another parser may keep the first.
  if (hasDuplicateName(text)) throw unavailable('response names a member twice')
  const { active } = body as { active?: unknown }
  if (typeof active !== 'boolean') throw unavailable('response has no boolean "active"')
  if (!active) throw new AuthError('token_inactive', 'token is not active')
  return body as Record<string, unknown>
}
