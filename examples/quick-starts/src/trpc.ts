// examples/quick-starts/src/trpc.ts
import { createAuth } from '@portcullis/core'
import { authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { createHTTPServer } from '@trpc/server/adapters/standalone'

const auth = createAuth({
  issuer: 'https://id.example.com/', // keys found by OIDC discovery; or jwks, keys, secret
  audience: 'https://api.example.com',
})

export const createContext = createAuthContext(auth) // fetch, standalone, Express, Next, WebSocket
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: authErrorFormatter })
const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)

export const appRouter = t.router({
  me: protectedProcedure.query(({ ctx }) => ctx.identity.subject), // Identity, typed from your claims schema
  reports: protectedProcedure.use(requireScopes(['read:reports'])).query(() => [{ id: 'q1' }]),
  admin: protectedProcedure.use(requireRoles(['admin'])).mutation(() => 'purged'),
  search: publicProcedure.query(({ ctx }) => ctx.identity?.subject ?? 'anonymous'),
})

createHTTPServer({ router: appRouter, createContext, basePath: '/trpc/' }).listen(3000)
// curl -i localhost:3000/trpc/search  ->  200 "anonymous";  /trpc/me  ->  401, WWW-Authenticate: Bearer
