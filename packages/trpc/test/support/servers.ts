import { createServer } from 'node:http'
import type { AuthContextOptions } from '@portcullis/trpc'
import type { AnyTRPCRouter } from '@trpc/server'
import { createExpressMiddleware } from '@trpc/server/adapters/express'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { incomingMessageToRequest } from '@trpc/server/adapters/node-http'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import createExpress from 'express'
import { onTestFinished } from 'vitest'
import { WebSocketServer } from 'ws'
import { listen, serveStandalone } from './fixtures.js'

/** A router and the context factory to serve it with. */
export interface Served {
  router: AnyTRPCRouter
  createContext: (opts: AuthContextOptions) => Promise<object>
}

/** Serves a router over WebSockets on 127.0.0.1; returns its ws:// URL. */
export async function serveWebSocket(app: Served): Promise<string> {
  const server = createServer()
  const wss = new WebSocketServer({ server })
  const handler = applyWSSHandler({ wss, router: app.router, createContext: app.createContext })
  onTestFinished(() => {
    handler.broadcastReconnectNotification()
    for (const socket of wss.clients) socket.terminate()
    wss.close()
  })
  const url = await listen(server)
  return url.replace('http://', 'ws://')
}

/**
 * Serves a router with tRPC's fetch adapter, behind a plain Node server (as Next.js, Bun or Deno would).
 * With `nodeRequest`, `createContext` gets the Node request as `req`, as the README recommends on Node.
 */
export function serveFetch(app: Served, options: { nodeRequest?: boolean } = {}): Promise<string> {
  const server = createServer(async (req, res) => {
    const response = await fetchRequestHandler({
      endpoint: '/trpc',
      req: incomingMessageToRequest(req, res, { maxBodySize: null }),
      router: app.router,
      createContext: options.nodeRequest
        ? (opts: AuthContextOptions) => app.createContext({ ...opts, req })
        : app.createContext,
    })
    res.statusCode = response.status
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') res.setHeader(name, value)
    })
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) res.setHeader('set-cookie', cookies)
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  return listen(server)
}

/** Serves a router with tRPC's Express adapter at /trpc. */
export function serveExpress(app: Served): Promise<string> {
  const express = createExpress()
  express.use('/trpc', createExpressMiddleware({ router: app.router, createContext: app.createContext }))
  return listen(createServer(express))
}

/** Serves a router with tRPC's standalone adapter at /trpc. */
export function serveNode(app: Served): Promise<string> {
  return serveStandalone(app.router, app.createContext)
}
