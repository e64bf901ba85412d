import type { Server } from 'node:http'
import { createAuth } from '@portcullis/core'
import { type AuthMeta, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { initTRPC } from '@trpc/server'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import { AUDIENCE, ISSUER } from '../tokens.js'
import { type AnyYoga, type ServerKeys, yogaApp } from './peers.js'

/** The verifier every Portcullis server uses: the issuer's key set, default cache and sources. */
export function benchAuth(keys: ServerKeys) {
  return createAuth({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [keys.publicJwk] } })
}

/** Yoga with `useAuth` and `@auth` on the field. */
export function yogaUseAuth(keys: ServerKeys): AnyYoga {
  return yogaApp(
    `${authDirectiveTypeDefs}\ntype Query { me: String @auth }`,
    {
      Query: {
        me: (_: unknown, __: unknown, ctx: { identity: { subject: string } | null }) => ctx.identity?.subject,
      },
    },
    [useAuth({ auth: benchAuth(keys) })],
  )
}

/** tRPC standalone with `createAuthContext` and `protectedProcedure`. */
export function trpcPortcullis(keys: ServerKeys): Server {
  const createContext = createAuthContext(benchAuth(keys))
  const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create()
  const { protectedProcedure } = createAuthProcedures(t)
  const router = t.router({ me: protectedProcedure.query(({ ctx }) => ctx.identity.subject) })
  return createHTTPServer({ router, createContext })
}
