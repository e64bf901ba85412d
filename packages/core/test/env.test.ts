import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { authFromEnv, sessionsFromEnv } from '@portcullis/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, issuer, serveJson, sign, signingKey } from './support/fixtures.js'
import { withCookies } from './support/sessions.js'

const current = 'c'.repeat(32)
const previous = 'p'.repeat(32)
const api = 'https://api.example.com'

describe('sessionsFromEnv', () => {
  it('reads the secret, the previous secret, the issuer and the cookie names', async () => {
    const old = sessionsFromEnv({ PORTCULLIS_SESSION_SECRET: previous, PORTCULLIS_SESSION_ISSUER: api })
    const { accessToken } = await old.issue({ subject: 'alice' })
    const sessions = sessionsFromEnv({
      PORTCULLIS_SESSION_SECRET: current,
      PORTCULLIS_SESSION_SECRET_PREVIOUS: previous,
      PORTCULLIS_SESSION_ISSUER: api,
      PORTCULLIS_SESSION_COOKIE: '__Host-app',
    })
    expect(sessions).toMatchObject({
      issuer: api,
      cookieName: '__Host-app',
      refreshCookieName: '__Host-app-refresh',
    })
    const auth = authFromEnv({}, { sessions })
    // Signed with the previous secret, accepted during the rotation; the store is per instance, so
    // the old instance's session reads as revoked: the signature check passed first.
    await expect(auth.verify(accessToken)).rejects.toMatchObject({ code: 'revoked' })
    const issued = await sessions.issue({ subject: 'alice' })
    expect(await auth.authenticate(withCookies(issued.setCookie))).toMatchObject({ status: 'authenticated' })
  })

  it('names the missing or too-short variable, never its value', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORTCULLIS_SESSION_ISSUER: api }, 'PORTCULLIS_SESSION_SECRET is missing from the environment'],
      [
        { PORTCULLIS_SESSION_SECRET: 'short-secret', PORTCULLIS_SESSION_ISSUER: api },
        'PORTCULLIS_SESSION_SECRET must be at least 32 bytes',
      ],
      [
        {
          PORTCULLIS_SESSION_SECRET: current,
          PORTCULLIS_SESSION_SECRET_PREVIOUS: 'old-short',
          PORTCULLIS_SESSION_ISSUER: api,
        },
        'PORTCULLIS_SESSION_SECRET_PREVIOUS must be at least 32 bytes',
      ],
      [{ PORTCULLIS_SESSION_SECRET: current }, 'PORTCULLIS_SESSION_ISSUER is missing from the environment'],
    ]
    for (const [env, message] of cases) {
      expect(() => sessionsFromEnv(env)).toThrow(new TypeError(message))
    }
    expect(() => sessionsFromEnv({ APP_SESSION_ISSUER: api }, {}, { prefix: 'APP_' })).toThrow(
      new TypeError('APP_SESSION_SECRET is missing from the environment'),
    )
  })
})

describe('authFromEnv', () => {
  it('verifies bearer tokens of ISSUER for AUDIENCE with keys from JWKS_URL', async () => {
    const key = await signingKey('ES256')
    const idp = await serveJson(() => ({ keys: [key.publicJwk] }))
    const auth = authFromEnv({
      PORTCULLIS_ISSUER: issuer,
      PORTCULLIS_AUDIENCE: `other, ${audience}`,
      PORTCULLIS_JWKS_URL: `${idp.url}/jwks`,
    })
    expect((await auth.verify(await sign(key))).subject).toBe('alice')
    await expect(auth.verify(await sign(key, { aud: 'elsewhere' }))).rejects.toMatchObject({
      code: 'claim_invalid',
      status: 401,
    })
  })

  it('adds sessions when SESSION_SECRET is set, and says what is missing otherwise', async () => {
    const auth = authFromEnv({ PORTCULLIS_SESSION_SECRET: current, PORTCULLIS_SESSION_ISSUER: api })
    expect(await auth.authenticate(new Request(api))).toMatchObject({ status: 'anonymous' })
    expect(() => authFromEnv({})).toThrow(
      new TypeError(
        'PORTCULLIS_ISSUER (with PORTCULLIS_AUDIENCE) or PORTCULLIS_SESSION_SECRET must be set in the environment',
      ),
    )
    expect(() => authFromEnv({ PORTCULLIS_ISSUER: issuer })).toThrow(
      new TypeError('PORTCULLIS_AUDIENCE is missing from the environment'),
    )
  })
})

describe('the README Worker example', () => {
  it('runs as pasted: 401 without credentials, the subject with a bearer token', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const code = readme.split('### Configuration from the environment')[1]!.match(/```ts\n([\s\S]*?)```/)![1]!
    const dir = new URL('./.env-readme-tmp/', import.meta.url)
    mkdirSync(dir, { recursive: true })
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = new URL('worker.ts', dir)
    writeFileSync(file, code)
    const worker = (await import(/* @vite-ignore */ file.href)).default as {
      fetch(request: Request, env: Record<string, string>): Promise<Response>
    }
    const key = await signingKey('ES256')
    const idp = await serveJson(() => ({ keys: [key.publicJwk] }))
    const env = {
      PORTCULLIS_ISSUER: issuer,
      PORTCULLIS_AUDIENCE: audience,
      PORTCULLIS_JWKS_URL: `${idp.url}/jwks`,
      PORTCULLIS_SESSION_SECRET: current,
      PORTCULLIS_SESSION_ISSUER: api,
    }
    expect((await worker.fetch(new Request(api), env)).status).toBe(401)
    const response = await worker.fetch(
      new Request(api, { headers: { authorization: `Bearer ${await sign(key)}` } }),
      env,
    )
    expect(await response.text()).toBe('hello alice')
  })
})
