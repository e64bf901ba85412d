import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { createAuth } from '@portcullis/core'
import { authMiddleware as expressAuth, requireAuth as expressGuard } from '@portcullis/http/express'
import { fastifyAuth, requireAuth as fastifyGuard } from '@portcullis/http/fastify'
import { authMiddleware as honoAuth, requireAuth as honoGuard } from '@portcullis/http/hono'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { AUDIENCE, ISSUER } from '../tokens.js'
import { NEXT_PATHS } from './next-app.js'

/** The frameworks served on loopback, each in processes of its own. */
export const SERVED_FRAMEWORKS = ['Hono', 'Fastify', 'Next', 'Express'] as const
export type ServedFramework = (typeof SERVED_FRAMEWORKS)[number]

/**
 * Bare: the framework answering the route; floor: the same behind a pass-through middleware and a
 * pass-through route guard (what plugging in any two layers costs in this framework, with no token
 * work); protected: behind `authMiddleware` and `requireAuth({ scopes })`.
 */
export type ServedVariant = 'bare' | 'floor' | 'protected'

/** What a served process is given: the HS256 secret and, for Next, the built app's folder. */
export interface ServedSetup {
  readonly secret: Uint8Array
  readonly nextDir?: string
}

/** A server listening on 127.0.0.1, on the port the system chose. */
export interface Listening {
  readonly port: number
  /** Closes every connection and the server. */
  close(): Promise<void>
}

/** The route every served app answers with `{"subject":"alice"}`. */
export const servedPath = (framework: ServedFramework, variant: ServedVariant): string =>
  framework === 'Next' ? NEXT_PATHS[variant] : '/reports'

// The floor's layers: they pass every request on, as ours do for a cached token with the scope.
const pass = (_c: unknown, next: () => Promise<void>) => next()

const guard = { scopes: ['read:reports'] }
// Longer than the bench's idle gaps between slots, so no slot reconnects.
const KEEP_ALIVE_MS = 30_000

async function listenNode(server: Server): Promise<Listening> {
  server.keepAliveTimeout = KEEP_ALIVE_MS
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

function honoServer(setup: ServedSetup, variant: ServedVariant): Server {
  const auth = createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: setup.secret })
  const app =
    variant === 'bare'
      ? new Hono().get('/reports', (c) => c.json({ subject: 'alice' }))
      : variant === 'floor'
        ? new Hono().use(pass).get('/reports', pass, (c) => c.json({ subject: 'alice' }))
        : new Hono()
            .use(honoAuth(auth))
            .get('/reports', honoGuard(guard), (c) => c.json({ subject: c.var.identity.subject }))
  // What `serve()` from `@hono/node-server` listens with, before it listens.
  return createAdaptorServer({ fetch: app.fetch }) as Server
}

async function fastifyServer(setup: ServedSetup, variant: ServedVariant): Promise<Listening> {
  const app = Fastify({ keepAliveTimeout: KEEP_ALIVE_MS })
  if (variant === 'bare') app.get('/reports', async () => ({ subject: 'alice' }))
  else if (variant === 'floor') {
    // As `fastifyAuth` registers itself (an onRequest hook, skip-override) and a preHandler guard.
    app.addHook('onRequest', (_request, _reply, done) => done())
    app.get('/reports', { preHandler: (_request, _reply, done) => done() }, async () => ({
      subject: 'alice',
    }))
  } else {
    await app.register(fastifyAuth, {
      auth: createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: setup.secret }),
    })
    app.get('/reports', { preHandler: fastifyGuard(guard) }, async (request) => ({
      subject: request.identity?.subject,
    }))
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    port: (app.server.address() as AddressInfo).port,
    close: async () => {
      app.server.closeAllConnections()
      await app.close()
    },
  }
}

async function expressServer(setup: ServedSetup, variant: ServedVariant): Promise<Listening> {
  const auth = createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: setup.secret })
  const floor: express.RequestHandler = (_req, _res, next) => next()
  const app =
    variant === 'bare'
      ? express().get('/reports', (_req, res) => {
          res.json({ subject: 'alice' })
        })
      : variant === 'floor'
        ? express()
            .use(floor)
            .get('/reports', floor, (_req, res) => {
              res.json({ subject: 'alice' })
            })
        : express()
            .use(expressAuth(auth))
            .get('/reports', expressGuard(guard), (req, res) => {
              res.json({ subject: req.identity?.subject })
            })
  // `app.listen(0, host)` is `createServer(app).listen(0, host)`; made here to set keep-alive first.
  return listenNode(createServer(app))
}

/**
 * Next as `next start` serves it: `next({ dir })` runs the same request handlers (`getRequestHandlers`
 * of Next's start-server) on a Node server of our own, so this process's CPU time is Next's.
 */
async function nextServer(setup: ServedSetup): Promise<Listening> {
  if (!setup.nextDir) throw new TypeError('the Next app needs its built folder')
  const require = createRequire(import.meta.url)
  const next = require('next') as (options: { dev: boolean; dir: string; quiet: boolean }) => {
    prepare(): Promise<void>
    getRequestHandler(): (req: unknown, res: unknown) => Promise<void>
  }
  const app = next({ dev: false, dir: setup.nextDir, quiet: true })
  await app.prepare()
  const handle = app.getRequestHandler()
  return listenNode(createServer((req, res) => handle(req, res)))
}

/**
 * Starts one framework's app, bare or protected, on 127.0.0.1 port 0, a cached HS256 bearer
 * token's route answering `{"subject":"alice"}` (the protected one from the verified identity).
 */
export async function serveFramework(
  framework: ServedFramework,
  variant: ServedVariant,
  setup: ServedSetup,
): Promise<Listening> {
  switch (framework) {
    case 'Hono':
      return listenNode(honoServer(setup, variant))
    case 'Fastify':
      return fastifyServer(setup, variant)
    case 'Express':
      return expressServer(setup, variant)
    case 'Next':
      // Every variant is a route of one build (NEXT_PATHS): each process is asked for its own route only.
      return nextServer(setup)
  }
}
