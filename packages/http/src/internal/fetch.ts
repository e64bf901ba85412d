import type { AuthError } from '@portcullis/core'
import { errorAnswer } from './answer.js'

/**
 * A rejection as a Fetch `Response`, with the session cookies to clear or set.
 *
 * @example
 * if (result.status === 'rejected') return errorResponse(result.error, result.setCookie)
 */
export function errorResponse(error: AuthError, setCookie: readonly string[] | undefined): Response {
  const answer = errorAnswer(error)
  const response = new Response(answer.body, { status: answer.status, headers: answer.headers })
  return withSetCookie(response, setCookie)
}

/**
 * `response` with `setCookie` appended. A response whose headers are immutable (`Response.redirect`,
 * a `fetch` result) is copied first, so the cookies are never lost.
 *
 * @example
 * return withSetCookie(await handler(request), result.setCookie)
 */
export function withSetCookie(response: Response, setCookie: readonly string[] | undefined): Response {
  if (!setCookie?.length) return response
  let target = response
  try {
    for (const line of setCookie) target.headers.append('set-cookie', line)
  } catch {
    target = new Response(response.body, response)
    target.headers.delete('set-cookie')
    for (const line of response.headers.getSetCookie()) target.headers.append('set-cookie', line)
    for (const line of setCookie) target.headers.append('set-cookie', line)
  }
  return target
}
