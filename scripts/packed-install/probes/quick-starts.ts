// What the root README's quick starts (examples/quick-starts/src) must do when run from a packed install.
import * as assert from 'node:assert/strict'
import type { ProbeContext } from '../probe.js'

/**
 * An unsigned (`alg: none`) bearer token is rejected with its code and status.
 *
 * @example
 * await core({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export function core({ output }: ProbeContext): void {
  assert.match(output(), /algorithm_not_allowed 401/)
}

/**
 * A session cookie from `issue` authenticates as its subject, with its roles.
 *
 * @example
 * await sessions({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export function sessions({ output }: ProbeContext): void {
  assert.match(output(), /alice \[ 'admin' \]/)
}

/**
 * Public procedures answer anyone; protected ones answer 401 with a Bearer challenge.
 *
 * @example
 * await trpc({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export async function trpc({ url }: ProbeContext): Promise<void> {
  const search = await fetch(`${url}/trpc/search`)
  assert.equal(search.status, 200)
  assert.equal((await search.json()).result.data, 'anonymous')
  const me = await fetch(`${url}/trpc/me`)
  assert.equal(me.status, 401)
  assert.equal(me.headers.get('www-authenticate'), 'Bearer')
}

/**
 * @public fields answer anyone; @auth fields and types refuse an anonymous request.
 *
 * @example
 * await yoga({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export async function yoga({ url }: ProbeContext): Promise<void> {
  const post = async (query: string) =>
    (
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
    ).json()
  assert.deepEqual(await post('{ health }'), { data: { health: 'ok' } })
  assert.equal((await post('{ me { id } }')).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED')
  assert.equal((await post('{ stats { users } }')).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED')
}

/**
 * The Express middleware puts a null identity on an anonymous request; a guarded route answers 401.
 *
 * @example
 * await http({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export async function http({ url }: ProbeContext): Promise<void> {
  const me = await fetch(`${url}/me`)
  assert.equal(me.status, 200)
  assert.deepEqual(await me.json(), { subject: null })
  const reports = await fetch(`${url}/reports`)
  assert.equal(reports.status, 401)
  assert.equal(reports.headers.get('www-authenticate'), 'Bearer')
  assert.equal((await reports.json()).error, 'token_missing')
}
