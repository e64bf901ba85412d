import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Auth } from '@portcullis/core'
import { createApi } from './api.js'
import { createDevKey, loadDevKey } from './dev-keys.js'
import { createDevIssuer, type DevIssuer } from './issuer.js'
import { appPage, loginPage } from './pages.js'
import { createDemoSessions, type DemoSessions } from './sessions.js'
import { DEMO_USERS, findUser } from './users.js'

/** How `createDemoServer` starts the demo. */
export interface DemoServerOptions {
  /** The port; 0 picks a free one. @default 3000 */
  port?: number
  /** The interface to listen on; the issuer URL uses it too. @default '127.0.0.1' */
  host?: string
  /** A file that keeps the dev key pair across restarts (shared with `pnpm portcullis token`). @default a fresh in-memory key */
  keyFile?: string
  /** Lifetime of a session's access token, in seconds. @default 300 */
  accessTtl?: number
  /** Lifetime of a session's refresh token, in seconds. @default 86400 */
  refreshTtl?: number
  /** A Redis URL for the session store; the in-memory store otherwise. */
  redisUrl?: string
}

/** A running demo. */
export interface DemoServer {
  /** The origin, e.g. `http://127.0.0.1:3000`; also the dev issuer's `iss`. */
  readonly url: string
  /** Stops listening and closes open connections. */
  close(): Promise<void>
}

/** What the request handlers need, built once the port (and so the issuer URL) is known. */
interface Demo {
  readonly issuer: DevIssuer
  readonly auth: Auth
  readonly sessions: DemoSessions
  readonly api: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>
  readonly close: () => Promise<void>
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string | readonly string[]> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
  res.end(body)
}

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string | readonly string[]>,
) => send(res, status, 'application/json', JSON.stringify(body), headers)

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = ''
  for await (const chunk of req) {
    body += chunk
    if (body.length > 4096) break
  }
  return new URLSearchParams(body)
}

async function handle(demo: Demo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', demo.issuer.issuer)
  const route = `${req.method} ${url.pathname}`
  switch (route) {
    case 'GET /.well-known/openid-configuration':
      return json(res, 200, demo.issuer.discovery(), { 'access-control-allow-origin': '*' })
    case 'GET /.well-known/jwks.json':
      return json(res, 200, demo.issuer.jwks(), { 'access-control-allow-origin': '*' })
    case 'GET /':
      return send(res, 200, 'text/html; charset=utf-8', appPage())
    case 'GET /login':
      return send(res, 200, 'text/html; charset=utf-8', loginPage(Object.values(DEMO_USERS)))
    case 'POST /login': {
      const user = findUser((await readForm(req)).get('user'))
      if (!user)
        return send(
          res,
          400,
          'text/html; charset=utf-8',
          loginPage(Object.values(DEMO_USERS), 'Unknown user'),
        )
      const setCookie = await demo.sessions.login(user)
      return send(res, 303, 'text/plain', 'logged in', { location: '/', 'set-cookie': setCookie })
    }
    case 'POST /logout': {
      const setCookie = await demo.sessions.logout(req)
      return send(res, 303, 'text/plain', 'logged out', { location: '/login', 'set-cookie': setCookie })
    }
    case 'POST /token': {
      // Mints a bearer token for whoever the cookie session says is here.
      const result = await demo.auth.authenticate(req)
      const setCookie: Record<string, readonly string[]> = result.setCookie
        ? { 'set-cookie': result.setCookie }
        : {}
      if (result.status !== 'authenticated') {
        const error = result.status === 'rejected' ? result.error : undefined
        return json(
          res,
          error?.status ?? 401,
          { error: error?.code ?? 'token_missing', message: 'log in first' },
          setCookie,
        )
      }
      const { subject, scopes, roles } = result.identity
      const token = await demo.issuer.mint({ subject, scopes, roles, ttl: 300 })
      const curl = `curl -H 'Authorization: Bearer ${token}' ${demo.issuer.issuer}/trpc/reports.list`
      return json(res, 200, { token, expiresIn: 300, curl }, setCookie)
    }
  }
  if (await demo.api(req, res)) return
  send(res, 404, 'text/plain', 'not found')
}

/**
 * Starts the demo: a dev issuer with OIDC discovery and a JWKS, cookie sessions, a login page, tRPC
 * at `/trpc` and GraphQL at `/graphql`, all guarded by Portcullis.
 *
 * @example
 * const demo = await createDemoServer({ port: 0 })
 * console.log(demo.url)
 * await demo.close()
 */
export async function createDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1'
  const key = options.keyFile ? await loadDevKey(options.keyFile) : await createDevKey()
  let demo: Demo | undefined
  const server = createServer((req, res) => {
    if (!demo) return send(res, 503, 'text/plain', 'starting')
    handle(demo, req, res).catch((error: unknown) => {
      // Unexpected faults only: every auth failure is an answer, not an exception.
      console.error('demo: request failed:', error instanceof Error ? error.message : error)
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error')
      else res.end()
    })
  })
  server.listen(options.port ?? 3000, host)
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  try {
    const issuer = createDevIssuer({ key, issuer: origin })
    const sessions = await createDemoSessions({
      issuer,
      key,
      accessTtl: options.accessTtl ?? 300,
      refreshTtl: options.refreshTtl ?? 86_400,
      redisUrl: options.redisUrl,
    })
    const auth = sessions.auth
    const api = createApi(auth, options.redisUrl ? 'redis' : 'memory')
    demo = { issuer, auth, sessions, api, close: sessions.close }
  } catch (error) {
    server.close()
    throw error
  }
  return {
    url: origin,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
      await demo?.close()
    },
  }
}
