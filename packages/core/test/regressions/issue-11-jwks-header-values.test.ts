import { type AuthEvent, createAuth, discoverJwksUri } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, serve, sign, signingKey } from '../support/fixtures.js'

const SECRET = 'gateway-key-0123456789abcdef'

/** Everything an error exposes: message, stack, and its cause chain, as text. */
function exposed(error: unknown): string {
  const parts: string[] = []
  for (let current = error, depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(String(current), (current as Error).stack ?? '', JSON.stringify(current) ?? '')
    current = (current as { cause?: unknown }).cause
  }
  return parts.join('\n')
}

// Issue 11: header values in jwksOptions were not checked (a CR/LF reached fetch, whose error quotes
// the value), and a fetch error's text and cause travelled into AuthError messages and events.
describe('issue 11: header values in JWKS options', () => {
  for (const [name, bad] of [
    ['CR', `${SECRET}\rx`],
    ['LF', `${SECRET}\nx-injected: 1`],
    ['NUL', `${SECRET}\0`],
  ] as const) {
    it(`refuses a value with ${name} at construction, naming the option but not the value`, () => {
      const build = () =>
        createAuth({
          issuer,
          audience,
          jwks: 'https://id.example.com/jwks',
          jwksOptions: { headers: { 'x-api-key': bad } },
        })
      expect(build).toThrow(new TypeError('"jwksOptions.headers.x-api-key" must not contain CR, LF or NUL'))
      // Discovery issuers are checked the same way, before any fetch.
      expect(() => createAuth({ issuer, audience, jwksOptions: { headers: { 'x-api-key': bad } } })).toThrow(
        TypeError,
      )
    })
  }

  it('refuses a header name that is not an HTTP token, and a value that is not a string', () => {
    const jwks = 'https://id.example.com/jwks'
    expect(() => createAuth({ issuer, audience, jwks, jwksOptions: { headers: { 'x key': 'v' } } })).toThrow(
      new TypeError('"jwksOptions.headers" has a header name that is not an HTTP token'),
    )
    expect(() =>
      createAuth({ issuer, audience, jwks, jwksOptions: { headers: { 'x-key': 42 as never } } }),
    ).toThrow(new TypeError('"jwksOptions.headers.x-key" must be a string'))
  })

  it('keeps the value out of errors, causes and events when the fetch fails quoting it', async () => {
    const key = await signingKey('ES256')
    const events: AuthEvent[] = []
    // A fetch (a proxy client, an instrumentation wrapper) whose error quotes the request headers.
    const leaky: typeof fetch = async (_input, init) => {
      const sent = new Headers(init?.headers).get('x-api-key')
      throw new TypeError(`request with x-api-key: ${sent} failed`, {
        cause: new Error(`socket closed after sending ${sent}`),
      })
    }
    const auth = createAuth({
      issuer,
      audience,
      jwks: 'https://id.example.com/jwks',
      jwksOptions: { headers: { 'x-api-key': SECRET }, fetch: leaky },
      onEvent: (event) => events.push(event),
    })
    const error = await auth.verify(await sign(key)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect(exposed(error)).not.toContain('gateway-key')
    expect(JSON.stringify(events)).not.toContain('gateway-key')
    await expect(auth.ready()).rejects.toSatisfy((caught) => !exposed(caught).includes('gateway-key'))
    expect(JSON.stringify(auth.health())).not.toContain('gateway-key')
  })

  it('keeps the value out of discovery errors too, through createAuth and discoverJwksUri', async () => {
    const key = await signingKey('ES256')
    const leaky: typeof fetch = async (_input, init) => {
      throw new TypeError(`refused ${new Headers(init?.headers).get('x-api-key')}`)
    }
    const jwksOptions = { headers: { 'x-api-key': SECRET }, fetch: leaky }
    const events: AuthEvent[] = []
    const auth = createAuth({ issuer, audience, jwksOptions, onEvent: (event) => events.push(event) })
    const error = await auth.verify(await sign(key)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable' })
    expect(exposed(error)).not.toContain('gateway-key')
    expect(JSON.stringify(events)).not.toContain('gateway-key')
    const direct = await discoverJwksUri(issuer, jwksOptions).catch((caught: unknown) => caught)
    expect((direct as Error).message).toBe('request failed')
    expect(exposed(direct)).not.toContain('gateway-key')
  })

  it('sends the headers to the configured origin', async () => {
    const key = await signingKey('ES256')
    let received: string | undefined
    const idp = await serve((request, response) => {
      received = request.headers['x-api-key'] as string
      response.end(JSON.stringify({ keys: [key.publicJwk] }))
    })
    const auth = createAuth({
      issuer,
      audience,
      jwks: `${idp.url}/jwks`,
      jwksOptions: { headers: { 'x-api-key': SECRET } },
    })
    await auth.verify(await sign(key))
    expect(received).toBe(SECRET)
  })
})
