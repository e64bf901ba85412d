import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { sign } from '../fixtures.js'
import { listen } from '../support/server.js'
import { createSessionAuth } from '../support/sessions.js'

/** A POST whose header lines go out exactly as given: Node sends one line per array item. */
function postRaw(url: string, headers: Record<string, string | string[]>, body: unknown) {
  return new Promise<{
    status: number
    setCookie: string[]
    body: { data?: unknown; errors?: { extensions?: object }[] }
  }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, timeout: 5000 },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            setCookie: res.headers['set-cookie'] ?? [],
            body: JSON.parse(text),
          }),
        )
      },
    )
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.end(JSON.stringify(body))
  })
}

// On Node, Yoga rebuilds a Fetch Request from `req.headers`, where Node has already dropped every
// Authorization line but the first: two headers (alice, bob) answered 200 as alice. The plugin now
// reads the Node request's raw header lines, so core sees both and refuses the request.
describe('duplicate Authorization headers behind Node', () => {
  it('are seen, and answer token_ambiguous instead of the first identity', async () => {
    const { http } = await listen()
    const alice = await sign({ sub: 'alice' })
    const bob = await sign({ sub: 'bob' })
    const response = await postRaw(
      http,
      { authorization: [`Bearer ${alice}`, `Bearer ${bob}`] },
      { query: '{ me { id } }' },
    )
    expect(response.body.data ?? null).toBeNull()
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ reason: 'token_ambiguous' })
    // 401 today; 400 (RFC 6750 invalid_request) once core answers a malformed request so.
    expect([400, 401]).toContain(response.status)
  })

  it('one Authorization line still authenticates, through the same Node request', async () => {
    const { http } = await listen()
    const response = await postRaw(
      http,
      { authorization: `Bearer ${await sign()}` },
      { query: '{ me { id } }' },
    )
    expect(response).toMatchObject({ status: 200, body: { data: { me: { id: 'alice' } } } })
  })

  it('a request read from its raw lines still refreshes its session once, cookies on its response', async () => {
    const setup = createSessionAuth()
    const { http } = await listen({ auth: setup.auth, now: setup.clock.now }, { batching: true })
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000) // the access cookie has expired; the refresh cookie has not
    // A repeated harmless header sends the plugin to the raw lines; a batch of two operations.
    const response = await postRaw(http, { cookie, 'x-trace': ['a', 'b'] }, [
      { query: '{ me { id } }' },
      { query: '{ me { id } }' },
    ])
    expect(response.status).toBe(200)
    expect(response.body).toEqual([{ data: { me: { id: 'alice' } } }, { data: { me: { id: 'alice' } } }])
    expect(response.setCookie).toHaveLength(2)
    expect(setup.store.rotations).toBe(1)
  })
})
