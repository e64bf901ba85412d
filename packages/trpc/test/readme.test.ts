import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { type AuthMeta, authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client'
import { initTRPC } from '@trpc/server'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import { describe, expect, expectTypeOf, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { sign } from './support/fixtures.js'

// The README quick start as written, on port 0 instead of 3000.
const auth = createAuth({
  issuer: 'https://id.example.com/',
  audience: 'https://api.example.com',
  secret: 'a-shared-secret-of-at-least-32-bytes!!', // or `jwks: 'https://id.example.com/.well-known/jwks.json'`
  claims: z.object({ sub: z.string(), tenant: z.string() }),
})

export const createContext = createAuthContext(auth)
const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create({
  errorFormatter: authErrorFormatter, // adds `data.authCode`: 'token_expired', 'insufficient_scope', ...
})
const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)

export const appRouter = t.router({
  // identity is non-null here, and `claims.tenant` is a string
  me: protectedProcedure.query(({ ctx }) => ({
    subject: ctx.identity.subject,
    tenant: ctx.identity.claims.tenant,
  })),
  reports: protectedProcedure.use(requireScopes(['read:reports'])).query(() => ['q1', 'q2']),
  admin: protectedProcedure.use(requireRoles(['admin'])).mutation(() => 'done'),
  // or declare what a procedure needs
  audit: protectedProcedure.meta({ auth: { roles: ['auditor', 'admin'], mode: 'any' } }).query(() => []),
  // identity is `Identity | null` here
  search: publicProcedure.query(({ ctx }) => ctx.identity?.subject ?? 'anonymous'),
})
export type AppRouter = typeof appRouter

async function start(): Promise<string> {
  const server = createHTTPServer({ router: appRouter, createContext, basePath: '/trpc/' }).listen(
    0,
    '127.0.0.1',
  )
  await new Promise((resolve) => server.once('listening', resolve))
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('the README quick start', () => {
  it('answers 401 with a challenge without a token and 200 with one', async () => {
    const url = await start()
    const anonymous = await fetch(`${url}/trpc/me`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')

    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${await sign()}` } })],
    })
    expect(await client.me.query()).toEqual({ subject: 'alice', tenant: 'acme' })
    expect(await client.search.query()).toBe('alice')
    const error = await client.admin.mutate().catch((error: unknown) => error)
    expect(error).toBeInstanceOf(TRPCClientError)
    const data = (error as TRPCClientError<AppRouter>).data
    // The client knows the shape: authCode is typed from the formatter.
    expectTypeOf(data!.authCode).toEqualTypeOf<import('@portcullis/core').AuthErrorCode | null>()
    expect(data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, authCode: 'forbidden' })
  })
})
