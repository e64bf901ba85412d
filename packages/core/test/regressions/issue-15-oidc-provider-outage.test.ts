import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { SignJWT } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { clock } from '../support/fixtures.js'
import { loopback, providerKey, testProvider } from '../support/oidc-provider.js'

const audience = 'https://api.example.com'

type OpKey = Awaited<ReturnType<typeof providerKey>>

/**
 * A real OpenID Provider on one loopback address that the test can swap: a new provider instance
 * (its keys rotated), a provider that hangs, or one that has disappeared (connections reset).
 */
async function provider() {
  const server = await loopback()
  const issuer = server.url
  onTestFinished(server.close)
  return {
    issuer,
    /**
     * Serves a new provider instance with `keys`, once it answers: a new instance builds its key
     * store on its first request, which under a loaded machine can take longer than the short JWKS
     * timeout below, so the test asks it first (a bounded wait) rather than the verifier.
     */
    async publish(keys: OpKey[]) {
      const op = testProvider(issuer, { jwks: { keys: keys.map((key) => key.jwk) } })
      const callback = op.callback()
      const warm = createServer(callback)
      warm.listen(0, '127.0.0.1')
      await once(warm, 'listening')
      const { port } = warm.address() as AddressInfo
      try {
        for (const path of ['/.well-known/openid-configuration', '/jwks'])
          expect(
            (await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(15_000) })).ok,
          ).toBe(true)
      } finally {
        warm.closeAllConnections()
        warm.close()
      }
      server.handle(callback)
    },
    hang() {
      server.handle(() => {})
    },
    disappear() {
      server.handle((request) => request.socket.destroy())
    },
    token: (key: OpKey, now: number) =>
      new SignJWT({ sub: 'alice', aud: audience })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(issuer)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(Math.floor(now / 1000) + 3600)
        .sign(key.privateKey),
  }
}

// Issue 15, driven as an operator would: a real OpenID Provider that hangs, disappears and rotates its
// keys. Tokens of cached keys keep passing; a token of a key not seen yet is 503 while the provider
// cannot answer (not a 401 that logs the user out); the rotation is picked up within seconds of its
// return, and the pulled key's cached tokens stop passing.
describe('issue 15: a real OpenID Provider that hangs, disappears and rotates keys', () => {
  for (const outage of ['hang', 'disappear'] as const) {
    it(`keeps serving through a provider that ${outage}s, then picks up its rotation`, async () => {
      const time = clock()
      const op = await provider()
      const [a, b] = [await providerKey('a'), await providerKey('b')]
      await op.publish([a])
      const auth = createAuth({
        issuer: op.issuer,
        audience,
        now: time.now,
        // Long enough for a warm provider on a loaded machine; a hung one costs this much real time.
        jwksOptions: { timeout: '1500ms' },
      })
      await auth.ready()
      const tokenA = await op.token(a, time.now())
      expect((await auth.verify(tokenA)).keyId).toBe('a')

      op[outage]() // and, meanwhile, the provider rotates to key b
      time.advance(31_000)
      const tokenB = await op.token(b, time.now())
      await expect(auth.verify(tokenB)).rejects.toMatchObject({ code: 'jwks_unavailable', status: 503 })
      expect((await auth.verify(tokenA)).keyId).toBe('a')
      expect((await auth.verify(await op.token(a, time.now()))).keyId).toBe('a') // uncached, known key

      await op.publish([b]) // back, with a pulled and b published
      time.advance(1_000) // the first retry delay after one failed fetch
      expect((await auth.verify(tokenB)).keyId).toBe('b')
      await expect(auth.verify(tokenA)).rejects.toMatchObject({ code: 'key_not_found', status: 401 })
      expect(auth.health().issuers[0]).toMatchObject({ keys: 1, ready: true, lastError: undefined })
    }, 30_000)
  }
})
