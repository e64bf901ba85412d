// What each middleware adds per request to its bare framework, with a cached bearer token.
// Run after `pnpm build`:  node packages/http/bench/overhead.mjs [rounds] [requests-per-round]
// Each framework's bare app and protected app alternate, round after round, in one process; the
// numbers are medians of the per-round means. In-process where the framework offers it (Hono
// app.fetch, Fastify inject, a Next route handler called with a NextRequest, Express called with a real
// IncomingMessage and ServerResponse), plus the Express middleware and guard alone.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { createAuth } from '@portcullis/core'
import { authMiddleware as expressAuth, requireAuth as expressGuard } from '@portcullis/http/express'
import { fastifyAuth, requireAuth as fastifyGuard } from '@portcullis/http/fastify'
import { authMiddleware as honoAuth, requireAuth as honoGuard } from '@portcullis/http/hono'
import { withAuth } from '@portcullis/http/next'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { SignJWT } from 'jose'
import { NextRequest } from 'next/server.js'

const rounds = Number(process.argv[2] ?? 15)
const perRound = Number(process.argv[3] ?? 2000)
const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const auth = createAuth({ issuer, audience, secret })
const now = Math.floor(Date.now() / 1000)
const token = await new SignJWT({ iss: issuer, aud: audience, sub: 'alice', exp: now + 3600, scope: 'read' })
  .setProtectedHeader({ alg: 'HS256' })
  .sign(new TextEncoder().encode(secret))
const authorization = `Bearer ${token}`
const guard = { scopes: ['read'] }

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Alternates bare and protected rounds; returns median µs per request of each. */
async function compare(name, bare, protectedRun, count = perRound) {
  for (let i = 0; i < Math.min(count, 500); i++) {
    await bare()
    await protectedRun()
  }
  const times = { bare: [], auth: [] }
  for (let round = 0; round < rounds; round++) {
    for (const [key, run] of round % 2
      ? [
          ['auth', protectedRun],
          ['bare', bare],
        ]
      : [
          ['bare', bare],
          ['auth', protectedRun],
        ]) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < count; i++) await run()
      times[key].push(Number(process.hrtime.bigint() - start) / 1000 / count)
    }
  }
  const b = median(times.bare)
  const a = median(times.auth)
  console.log(
    `${name.padEnd(34)} bare ${b.toFixed(2).padStart(7)} µs  with auth ${a.toFixed(2).padStart(7)} µs  +${(a - b).toFixed(2).padStart(6)} µs  ratio ${(a / b).toFixed(3)}`,
  )
}

// Hono, in-process through app.fetch (what Bun, Deno and Workers call).
{
  const bare = new Hono().get('/r', (c) => c.json({ ok: true }))
  const app = new Hono()
    .use(honoAuth(auth))
    .get('/r', honoGuard(guard), (c) => c.json({ ok: c.var.identity.subject }))
  const headers = { authorization }
  await compare(
    'Hono app.fetch',
    () => bare.fetch(new Request('http://127.0.0.1/r', { headers })),
    () => app.fetch(new Request('http://127.0.0.1/r', { headers })),
  )
}

// Fastify, in-process through inject (light-my-request).
{
  const bare = Fastify()
  bare.get('/r', async () => ({ ok: true }))
  const app = Fastify()
  await app.register(fastifyAuth, { auth })
  app.get('/r', { preHandler: fastifyGuard(guard) }, async (req) => ({ ok: req.identity.subject }))
  await Promise.all([bare.ready(), app.ready()])
  const headers = { authorization }
  await compare(
    'Fastify inject',
    () => bare.inject({ url: '/r', headers }),
    () => app.inject({ url: '/r', headers }),
    perRound / 2,
  )
  await Promise.all([bare.close(), app.close()])
}

// Next.js App Router route handler, called as Next calls it.
{
  const handler = () => Response.json({ ok: true })
  const GET = withAuth(auth, (_request, { identity }) => Response.json({ ok: identity.subject }), guard)
  const context = { params: Promise.resolve({}) }
  const headers = { authorization }
  await compare(
    'Next route handler (NextRequest)',
    () => handler(new NextRequest('http://127.0.0.1/r', { headers }), context),
    () => GET(new NextRequest('http://127.0.0.1/r', { headers }), context),
  )
}

// Express 5: the middleware and guard alone, on a real IncomingMessage (no socket I/O).
{
  const socket = new Socket()
  const mw = expressAuth(auth)
  const check = expressGuard(guard)
  const message = () => {
    const req = new IncomingMessage(socket)
    req.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization]
    req.headers = { host: '127.0.0.1', authorization }
    return req
  }
  const noop = () => {}
  await compare(
    'Express middleware+guard alone',
    () => {
      const req = message()
      new ServerResponse(req)
    },
    () => {
      const req = message()
      const res = new ServerResponse(req)
      mw(req, res, () => check(req, res, noop))
    },
    perRound * 5,
  )
}

// Express 5, the whole app in-process: a real IncomingMessage and ServerResponse without a socket.
{
  const bare = express().get('/r', (_req, res) => res.json({ ok: 'alice' }))
  const app = express()
    .use(expressAuth(auth))
    .get('/r', expressGuard(guard), (req, res) => res.json({ ok: req.identity.subject }))
  const socket = new Socket()
  const call = (handler) => () =>
    new Promise((resolve) => {
      const req = new IncomingMessage(socket)
      req.method = 'GET'
      req.url = '/r'
      req.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization]
      req.headers = { host: '127.0.0.1', authorization }
      const res = new ServerResponse(req)
      const end = res.end
      res.end = function (...args) {
        end.apply(this, args)
        resolve(res.statusCode)
      }
      handler(req, res)
    })
  await compare('Express 5 app in-process', call(bare), call(app))
}
