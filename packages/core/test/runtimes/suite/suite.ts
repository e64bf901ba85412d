// The one suite every runtime runs (Node, Bun, Deno, workerd, the Edge runtime), bundled by esbuild
// for platform "neutral": it may use Web APIs only, so a `node:` import fails the bundle.
import { initTRPC } from '@trpc/server'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { createSchema, createYoga } from 'graphql-yoga'
import { createAuthContext, createAuthProcedures } from '../../../../trpc/src/index.js'
import { type AuthContext, authDirectiveTypeDefs, useAuth } from '../../../../yoga/src/index.js'
import { createAuth, createSessions, memoryStore, sessionsFromEnv } from '../../../src/index.js'
import type { CheckResult, Fixture } from './fixture.js'

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)]
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`)
}

async function expectCode(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  try {
    await promise
  } catch (error) {
    const { code: actual, status: actualStatus } = error as { code?: string; status?: number }
    expectEqual({ code: actual, status: actualStatus }, { code, status }, 'rejection')
    return
  }
  throw new Error(`expected a rejection with ${code}`)
}

const cookieHeader = (setCookie: readonly string[]) => setCookie.map((line) => line.split(';')[0]).join('; ')

/** Runs every check and reports each one; never throws, so a runtime always answers. */
export async function runSuite(
  fixture: Fixture,
  env: Readonly<Record<string, unknown>>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  const check = async (name: string, run: () => Promise<void>) => {
    try {
      await run()
      results.push({ name, ok: true })
    } catch (error) {
      results.push({ name, ok: false, detail: String((error as Error)?.message ?? error) })
    }
  }
  const { issuer, audience } = fixture
  const remote = createAuth({ issuer, audience, jwks: fixture.jwksUrl })
  const local = createAuth({ issuer, audience, keys: [...fixture.publicKeys] })
  const shared = createAuth({ issuer, audience, secret: fixture.secret })

  for (const [alg, token] of Object.entries(fixture.valid)) {
    await check(`verifies ${alg} from a local key set`, async () => {
      expectEqual((await local.verify(token)).subject, 'alice', 'subject')
    })
    await check(`verifies ${alg} from a JWKS over loopback`, async () => {
      expectEqual((await remote.verify(token)).subject, 'alice', 'subject')
    })
  }
  await check('verifies HS256 with a shared secret', async () => {
    expectEqual((await shared.verify(fixture.hs256)).subject, 'alice', 'subject')
  })
  await check('rejects a tampered token', () =>
    expectCode(remote.verify(fixture.tampered), 'signature_invalid', 401),
  )
  await check('rejects an expired token', () =>
    expectCode(remote.verify(fixture.expired), 'token_expired', 401),
  )
  await check('rejects alg "none"', () =>
    expectCode(remote.verify(fixture.none), 'algorithm_not_allowed', 401),
  )
  await check('authenticates a Request end to end', async () => {
    const request = new Request('https://api.example.com/', {
      headers: { authorization: `Bearer ${fixture.valid.ES256}` },
    })
    const result = await remote.authenticate(request)
    expectEqual(result.status === 'authenticated' && result.identity.subject, 'alice', 'identity')
    const bad = await remote.authenticate(
      new Request('https://api.example.com/', { headers: { authorization: `Bearer ${fixture.tampered}` } }),
    )
    expectEqual(bad.status === 'rejected' && bad.error.code, 'signature_invalid', 'rejection')
  })

  for (const sealed of [false, true]) {
    await check(
      `issues, verifies, refreshes and revokes a ${sealed ? 'sealed' : 'signed'} cookie session`,
      async () => {
        const store = memoryStore()
        // No grace window: presenting a rotated refresh token again is reuse at once.
        const sessions = createSessions({
          secret: fixture.secret,
          issuer,
          audience,
          sealed,
          store,
          refreshGrace: 0,
        })
        const auth = createAuth({ sessions })
        const issued = await sessions.issue({ subject: 'bob', roles: ['admin'] })
        const request = (setCookie: readonly string[]) =>
          new Request('https://api.example.com/', { headers: { cookie: cookieHeader(setCookie) } })
        const first = await auth.authenticate(request(issued.setCookie))
        expectEqual(first.status === 'authenticated' && first.identity.subject, 'bob', 'session identity')
        const refreshed = await sessions.refresh(issued.refreshToken)
        expectEqual(refreshed.sessionId, issued.sessionId, 'refreshed session')
        await expectCode(sessions.refresh(issued.refreshToken), 'refresh_reused', 401)
        const again = createSessions({
          secret: fixture.secret,
          issuer,
          audience,
          sealed,
          store: memoryStore(),
        })
        const other = await again.issue({ subject: 'bob' })
        await again.revoke(other.sessionId)
        await expectCode(createAuth({ sessions: again }).verify(other.accessToken), 'revoked', 401)
      },
    )
  }
  await check('signs sessions with a WebCrypto Ed25519 key pair and publishes its JWKS', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair
    const sessions = createSessions({ signingKey: pair, issuer, audience })
    const issued = await sessions.issue({ subject: 'carol' })
    const elsewhere = createAuth({ issuer, audience, jwks: await sessions.jwks() })
    expectEqual((await elsewhere.verify(issued.accessToken)).subject, 'carol', 'subject')
  })

  await check("configures sessions from the runtime's environment", async () => {
    const sessions = sessionsFromEnv(env)
    const issued = await sessions.issue({ subject: 'dave' })
    const result = await createAuth({ sessions }).authenticate(
      new Request('https://api.example.com/', { headers: { cookie: cookieHeader(issued.setCookie) } }),
    )
    expectEqual(result.status === 'authenticated' && result.identity.subject, 'dave', 'identity')
    for (const [broken, message] of [
      [
        { ...env, PORTCULLIS_SESSION_SECRET: undefined },
        'PORTCULLIS_SESSION_SECRET is missing from the environment',
      ],
      [{ ...env, PORTCULLIS_SESSION_SECRET: 'short' }, 'PORTCULLIS_SESSION_SECRET must be at least 32 bytes'],
    ] as const) {
      try {
        sessionsFromEnv(broken)
        throw new Error('expected a TypeError')
      } catch (error) {
        expectEqual([(error as Error).name, (error as Error).message], ['TypeError', message], 'error')
      }
    }
  })

  await check('answers 200/401/403 from a tRPC fetch-adapter router', async () => {
    const createContext = createAuthContext(remote)
    const t = initTRPC.context<typeof createContext>().create()
    const { protectedProcedure, requireRoles } = createAuthProcedures(t)
    const router = t.router({
      me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
      admin: protectedProcedure.use(requireRoles(['admin'])).query(() => 'yes'),
    })
    const call = async (path: string, token?: string) => {
      const req = new Request(`https://api.example.com/trpc/${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      })
      return (await fetchRequestHandler({ endpoint: '/trpc', req, router, createContext })).status
    }
    expectEqual(
      [await call('me', fixture.valid.ES256), await call('me'), await call('admin', fixture.valid.ES256)],
      [200, 401, 403],
      'statuses',
    )
  })

  await check('answers 200/401/403 from a GraphQL Yoga server', async () => {
    const yoga = createYoga({
      schema: createSchema<AuthContext>({
        typeDefs: /* GraphQL */ `
          ${authDirectiveTypeDefs}
          type Query {
            me: String @auth
            admin: String @auth(roles: ["admin"])
          }
        `,
        resolvers: { Query: { me: (_, __, { identity }) => identity?.subject, admin: () => 'yes' } },
      }),
      plugins: [useAuth({ auth: remote })],
      logging: false,
    })
    const post = async (query: string, token?: string) =>
      (
        await yoga.fetch('https://api.example.com/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query }),
        })
      ).status
    expectEqual(
      [
        await post('{ me }', fixture.valid.ES256),
        await post('{ me }'),
        await post('{ admin }', fixture.valid.ES256),
      ],
      [200, 401, 403],
      'statuses',
    )
  })
  return results
}
