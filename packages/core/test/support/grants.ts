import type { Auth, AuthResult } from '@portcullis/core'
import { serve } from './fixtures.js'

/** What a test compares of a result: the grants of an identity, or the rejection's code and status. */
export type Grants =
  | { status: 'authenticated'; subject: string; scopes: readonly string[]; roles: readonly string[] }
  | { status: 'anonymous' }
  | { status: 'rejected'; code: string; httpStatus: number }

export function grantsOfResult(result: AuthResult<unknown>): Grants {
  if (result.status === 'authenticated') {
    const { subject, scopes, roles } = result.identity
    return { status: 'authenticated', subject, scopes, roles }
  }
  if (result.status === 'anonymous') return { status: 'anonymous' }
  return { status: 'rejected', code: result.error.code, httpStatus: result.error.status }
}

/**
 * `authenticate`'s grants for a bearer token through a real `node:http` server (a `fetch` to it on
 * loopback) and through a Fetch `Request`.
 */
export async function grantsViaBoth(auth: Auth<unknown>, token: string) {
  const server = await serve(async (request, response) => {
    response.end(JSON.stringify(grantsOfResult(await auth.authenticate(request))))
  })
  const headers = { authorization: `Bearer ${token}` }
  const node = (await (await fetch(server.url, { headers })).json()) as Grants
  const viaFetch = grantsOfResult(await auth.authenticate(new Request('http://127.0.0.1/', { headers })))
  return { node, fetch: viaFetch }
}
