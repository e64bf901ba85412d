import { createAuth } from '@portcullis/core'
import fc from 'fast-check'
import { importJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret, sign, signingKey } from '../support/fixtures.js'

// Bounded: each property runs this many mutated tokens per algorithm.
const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 300)
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Whether jose's jwtVerify accepts `token` under the same rules the auth below is given. */
async function joseAccepts(token: string, key: Parameters<typeof jwtVerify>[1], alg: string) {
  try {
    await jwtVerify(token, key, { issuer, audience, algorithms: [alg], clockTolerance: 5 })
    return true
  } catch {
    return false
  }
}

async function ourAccepts(auth: ReturnType<typeof createAuth>, token: string) {
  try {
    await auth.verify(token)
    return true
  } catch (error) {
    // Every refusal is an AuthError with a 4xx status: a mutation never becomes a 5xx or a crash.
    expect(error).toMatchObject({ name: 'AuthError' })
    return false
  }
}

// A token of each shape, mutated one edit at a time: a character replaced by any base64url one (or
// any character), a segment's last characters dropped or doubled, a segment swapped for another's.
const mutation = (token: string) =>
  fc.oneof(
    fc
      .tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...B64URL, '=', '+', '/', ' ', '.', '\u00e9'))
      .map(([at, char]) => token.slice(0, at) + char + token.slice(at + 1)),
    fc.nat({ max: token.length - 1 }).map((at) => token.slice(0, at) + token.slice(at + 1)),
    fc
      .tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...B64URL))
      .map(([at, char]) => token.slice(0, at) + char + token.slice(at)),
  )

const ALGORITHMS = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const

describe('the WebCrypto miss path accepts nothing jose refuses', () => {
  for (const alg of ALGORITHMS)
    it(`for ${alg}: single-character mutations of a valid token`, async () => {
      let auth: ReturnType<typeof createAuth>
      let joseKey: Parameters<typeof jwtVerify>[1]
      let token: string
      if (alg === 'HS256') {
        auth = createAuth({ issuer, audience, secret, cache: false })
        joseKey = new TextEncoder().encode(secret)
        token = await sign(secret)
      } else {
        const key = await signingKey(alg)
        auth = createAuth({
          issuer,
          audience,
          jwks: { keys: [key.publicJwk] },
          algorithms: [alg],
          cache: false,
        })
        joseKey = await importJWK(key.publicJwk, alg)
        token = await sign(key)
      }
      expect(await ourAccepts(auth, token)).toBe(true)
      expect(await joseAccepts(token, joseKey, alg)).toBe(true)
      await fc.assert(
        fc.asyncProperty(mutation(token), async (mutated) => {
          fc.pre(mutated !== token)
          const ours = await ourAccepts(auth, mutated)
          // We may be stricter (canonical base64url: jose ignores trailing bits), never looser.
          if (ours) expect(await joseAccepts(mutated, joseKey, alg)).toBe(true)
        }),
        { numRuns: RUNS },
      )
    })
})

describe('signed tokens with odd headers and claims: nothing jose refuses is accepted', () => {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(true, 'HS256', 'hs256', 'none', 'JWT', 'at+jwt', [], {}, ['b64'], 1e308, -1, 0.5, null),
  )
  const header = fc
    .dictionary(
      fc.constantFrom('alg', 'kid', 'typ', 'crit', 'b64', 'cty', 'jwk', 'zip', '__proto__', 'x'),
      value,
      { maxKeys: 4 },
    )
    .map((extra) => ({ alg: 'HS256', ...extra }))
  const seconds = Math.floor(Date.now() / 1000)
  const payload = fc
    .dictionary(
      fc.constantFrom('iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'jti', '__proto__', 'scope', 'cnf'),
      fc.oneof(
        value,
        fc.constantFrom(issuer, audience, [audience], seconds + 60, seconds - 60, `${seconds}`),
      ),
      { maxKeys: 4 },
    )
    .map((extra) => ({
      iss: issuer,
      aud: audience,
      sub: 'alice',
      iat: seconds,
      exp: seconds + 300,
      ...extra,
    }))

  it('for HS256 tokens signed over random header and payload members', async () => {
    const auth = createAuth({ issuer, audience, secret, cache: false })
    const key = new TextEncoder().encode(secret)
    const { createHmac } = await import('node:crypto')
    await fc.assert(
      fc.asyncProperty(header, payload, async (h, p) => {
        const input = `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${Buffer.from(JSON.stringify(p)).toString('base64url')}`
        const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
        if (await ourAccepts(auth, token)) expect(await joseAccepts(token, key, 'HS256')).toBe(true)
      }),
      { numRuns: RUNS * 3 },
    )
  })
})
