import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import type { AnyTRPCRouter } from '@trpc/server'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { SignJWT } from 'jose'
import { onTestFinished } from 'vitest'
import { z } from 'zod'

export const issuer = 'https://id.example.com/'
export const audience = 'https://api.example.com'
export const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const key = new TextEncoder().encode(secret)

export const claims = z.object({
  sub: z.string(),
  tenant: z.string().default('acme'),
})

/** A verifier like an app would make, typed by the `claims` schema. */
export const makeAuth = (now?: () => number) =>
  createAuth({ issuer, audience, secret, claims, realm: 'api', ...(now ? { now } : {}) })

const seconds = () => Math.floor(Date.now() / 1000)

/** Signs an HS256 token for alice with `read:reports` and the `user` role unless told otherwise. */
export function sign(payload: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    iat: seconds(),
    exp: seconds() + 300,
    scope: 'read:reports',
    roles: ['user'],
    tenant: 'acme',
    ...payload,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(key)
}

/** Listens on 127.0.0.1, port 0, and closes the server when the test ends. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Serves a router with tRPC's standalone adapter. */
export function serveStandalone(
  router: AnyTRPCRouter,
  createContext: (opts: { req: IncomingMessage; res: ServerResponse }) => Promise<object>,
): Promise<string> {
  const handler = createHTTPHandler({ router, createContext, basePath: '/trpc/' })
  return listen(createServer((req, res) => handler(req, res)))
}
