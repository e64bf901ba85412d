import { createServer, type IncomingMessage, type Server } from 'node:http'
import { DIRECTIVE_SDL, useGenericAuth } from '@envelop/generic-auth'
import { createInlineSigningKeyProvider, useJWT } from '@graphql-yoga/plugin-jwt'
import { initTRPC, TRPCError } from '@trpc/server'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import { createSchema, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import { importJWK, type JWK, type JWTPayload, jwtVerify } from 'jose'
import { AUDIENCE, ISSUER } from '../tokens.js'

/** What every server in the HTTP benchmark is built from: the issuer's public ES256 key. */
export interface ServerKeys {
  readonly publicJwk: JWK
  readonly publicPem: string
}

const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] }

/** The bearer token of a request, as a hand-written middleware reads it. */
function bearerOf(header: string | null | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined
}

type Resolvers = Parameters<typeof createSchema>[0]['resolvers']
// Each plugin brings its own context type; Yoga's option is typed for the base context only.
// biome-ignore lint/suspicious/noExplicitAny: plugins of any context type
type AnyPlugin = Plugin<any>

// biome-ignore lint/suspicious/noExplicitAny: Yoga instances of any context
export type AnyYoga = YogaServerInstance<any, any>

/** A Yoga app as every benchmark serves it: no logging, no landing page, no GraphiQL. */
export function yogaApp(typeDefs: string, resolvers: Resolvers, plugins: AnyPlugin[] = []): AnyYoga {
  return createYoga({
    schema: createSchema({ typeDefs, resolvers }),
    plugins,
    logging: false,
    landingPage: false,
    graphiql: false,
  })
}

/** A Node HTTP server for a Yoga app. */
export const served =
  <Args extends unknown[]>(app: (...args: Args) => AnyYoga | Promise<AnyYoga>) =>
  async (...args: Args): Promise<Server> =>
    createServer(await app(...args))

/** Yoga, no auth: the ceiling. */
export function yogaBare(): AnyYoga {
  return yogaApp('type Query { me: String }', { Query: { me: () => 'anonymous' } })
}

/** Yoga with a plugin that does nothing but add to the context asynchronously: the floor for a plugin. */
export function yogaEmptyPlugin(): AnyYoga {
  const plugin: AnyPlugin = {
    async onContextBuilding({ extendContext }: { extendContext: (value: object) => void }) {
      extendContext({ identity: { subject: 'alice' } })
    },
  }
  return yogaApp(
    'type Query { me: String }',
    {
      Query: {
        me: (_: unknown, __: unknown, ctx: { identity: { subject: string } }) => ctx.identity.subject,
      },
    },
    [plugin],
  )
}

/** Yoga with `@graphql-yoga/plugin-jwt` (jsonwebtoken; the key given inline as PEM). */
export function yogaPluginJwt(keys: ServerKeys): AnyYoga {
  return yogaApp(
    'type Query { me: String }',
    {
      Query: {
        me: (_: unknown, __: unknown, ctx: { jwt?: { payload: JWTPayload } }) => ctx.jwt?.payload.sub,
      },
    },
    [
      useJWT({
        signingKeyProviders: [createInlineSigningKeyProvider(keys.publicPem)],
        tokenVerification: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] },
        reject: { missingToken: true, invalidToken: true },
      }),
    ],
  )
}

/** Yoga with `@envelop/generic-auth`, `@authenticated` on the field, jose in `resolveUserFn`. */
export async function yogaGenericAuth(keys: ServerKeys): Promise<AnyYoga> {
  const key = await importJWK(keys.publicJwk, 'ES256')
  return yogaApp(
    `${DIRECTIVE_SDL}\ntype Query { me: String @authenticated }`,
    { Query: { me: (_: unknown, __: unknown, ctx: { currentUser: JWTPayload }) => ctx.currentUser.sub } },
    [
      useGenericAuth({
        mode: 'protect-granular',
        resolveUserFn: async (ctx: { request: Request }) => {
          const token = bearerOf(ctx.request.headers.get('authorization'))
          if (!token) return null
          try {
            return (await jwtVerify(token, key, joseOptions)).payload
          } catch {
            return null
          }
        },
      }),
    ],
  )
}

/** tRPC standalone, no auth: the ceiling. */
export function trpcBare(): Server {
  const t = initTRPC.create()
  const router = t.router({ me: t.procedure.query(() => 'anonymous') })
  return createHTTPServer({ router })
}

/** tRPC with an async context and one pass-through middleware, no token work: the floor for a middleware. */
export function trpcEmptyMiddleware(): Server {
  const createContext = async () => ({ user: { sub: 'alice' } })
  const t = initTRPC.context<typeof createContext>().create()
  const procedure = t.procedure.use(({ ctx, next }) => next({ ctx: { user: ctx.user } }))
  const router = t.router({ me: procedure.query(({ ctx }) => ctx.user.sub) })
  return createHTTPServer({ router, createContext })
}

/** tRPC with what users write today: jose's jwtVerify in `createContext`, a protected procedure. */
export async function trpcJose(keys: ServerKeys): Promise<Server> {
  const key = await importJWK(keys.publicJwk, 'ES256')
  const createContext = async ({ req }: { req: IncomingMessage }) => {
    const token = bearerOf(req.headers.authorization)
    if (!token) return { user: null }
    try {
      return { user: (await jwtVerify(token, key, joseOptions)).payload }
    } catch {
      return { user: null }
    }
  }
  const t = initTRPC.context<typeof createContext>().create()
  const protectedProcedure = t.procedure.use(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED' })
    return next({ ctx: { user: ctx.user } })
  })
  const router = t.router({ me: protectedProcedure.query(({ ctx }) => ctx.user.sub) })
  return createHTTPServer({ router, createContext })
}
