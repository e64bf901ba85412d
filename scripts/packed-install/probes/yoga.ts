// What the yoga README's quick start must answer when run from a packed install.
import * as assert from 'node:assert/strict'
import type { ProbeContext } from '../probe.js'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'

const post = (url: string | undefined, query: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  })

/**
 * @public fields answer anyone; @auth fields need a token; the token's subject reaches resolvers.
 *
 * @example
 * await quick_start_0({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export async function quick_start_0({ url, sign }: ProbeContext): Promise<void> {
  const health = await post(url, '{ health }')
  assert.deepEqual(await health.json(), { data: { health: 'ok' } })

  const anonymous = await (await post(url, '{ me { id } }')).json()
  assert.equal(anonymous.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED')

  const token = await sign({ scope: 'read:reports' }, secret, { issuer, audience, subject: 'alice' })
  const me = await post(url, '{ me { id } reports { title } }', { authorization: `Bearer ${token}` })
  assert.deepEqual(await me.json(), { data: { me: { id: 'alice' }, reports: [{ title: 'Q1' }] } })
}
