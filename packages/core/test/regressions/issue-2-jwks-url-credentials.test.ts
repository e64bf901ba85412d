import { type AuthEvent, createAuth, discoverJwksUri } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, serve, serveJson, sign, signingKey } from '../support/fixtures.js'

// Issue 2: no secret reaches an error message. A password written into the `jwks` URL
// (https://user:password@host/jwks) could never work (fetch refuses such URLs), and fetch's refusal
// quoted the whole URL: the password landed in the AuthError message that `toJSON` sends to clients,
// in its `cause`, and in the `jwks_fetch_failed` event. Such a URL is now refused at construction.
describe('issue 2: credentials in a key set URL', () => {
  it('refuses a jwks URL with a user or password at construction, without echoing it', () => {
    for (const jwks of ['https://user:hunter2@id.example.com/jwks', 'https://hunter2@id.example.com/jwks']) {
      const error = (() => {
        try {
          createAuth({ issuer, audience, jwks })
        } catch (caught) {
          return caught as Error
        }
      })()
      expect(error).toBeInstanceOf(TypeError)
      expect(error?.message).toMatch(/"jwks" URL must not contain a user name or password/)
      expect(error?.message).not.toContain('hunter2')
    }
  })

  it('refuses a discovered jwks_uri with credentials, without echoing them', async () => {
    const key = await signingKey('ES256')
    const events: AuthEvent[] = []
    const idp = await serveJson(() => ({
      issuer: idp.url,
      jwks_uri: idp.url.replace('http://', 'http://user:hunter2@'),
    }))
    await expect(discoverJwksUri(idp.url)).rejects.toThrow(/must not contain a user name or password/)
    const auth = createAuth({ issuer: idp.url, audience, onEvent: (event) => events.push(event) })
    const error = await auth.verify(await sign(key, { iss: idp.url })).catch((caught: Error) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect(JSON.stringify(error)).not.toContain('hunter2')
    expect(String((error as Error).cause)).not.toContain('hunter2')
    expect(JSON.stringify(events)).not.toContain('hunter2')
  })

  it('still fetches a plain jwks URL', async () => {
    const key = await signingKey('ES256')
    const idp = await serve((_request, response) => response.end(JSON.stringify({ keys: [key.publicJwk] })))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks` })
    await expect(auth.verify(await sign(key))).resolves.toMatchObject({ subject: 'alice' })
  })
})
