// What the trpc README's quick start must answer when run from a packed install.
import * as assert from 'node:assert/strict'
import type { ProbeContext } from '../probe.js'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'

/**
 * 401 with a Bearer challenge without a token; the typed identity with one; 403 for a missing scope.
 *
 * @example
 * await quick_start_0({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export async function quick_start_0({ url, sign }: ProbeContext): Promise<void> {
  const anonymous = await fetch(`${url}/trpc/me`)
  assert.equal(anonymous.status, 401)
  assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer')
  assert.equal((await anonymous.json()).error.data.authCode, 'token_missing')

  const token = await sign({ tenant: 'acme' }, secret, { issuer, audience, subject: 'alice' })
  const headers = { authorization: `Bearer ${token}` }
  const me = await fetch(`${url}/trpc/me`, { headers })
  assert.equal(me.status, 200)
  assert.deepEqual((await me.json()).result.data, { subject: 'alice', tenant: 'acme' })

  const reports = await fetch(`${url}/trpc/reports`, { headers })
  assert.equal(reports.status, 403)
  assert.equal((await reports.json()).error.data.authCode, 'insufficient_scope')
}
