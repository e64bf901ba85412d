// One framework app, bare or with the middleware and a guard, called in-process `count` times after
// `warm` warm-up calls, for callgrind: the difference between two counts' instruction totals, divided
// by the difference in calls, is what one request costs, whatever the machine's load.
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null node instructions.mjs express auth 1500 1000
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

const [framework, variant, warm = '1500', count = '1000'] = process.argv.slice(2)
const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const auth = createAuth({ issuer, audience, secret })
const token = await new SignJWT({
  iss: issuer,
  aud: audience,
  sub: 'alice',
  exp: Math.floor(Date.now() / 1000) + 3600,
  scope: 'read',
})
  .setProtectedHeader({ alg: 'HS256' })
  .sign(new TextEncoder().encode(secret))
const authorization = `Bearer ${token}`
const guarded = variant === 'auth'
const rule = { scopes: ['read'] }

async function build() {
  if (framework === 'express') {
    const app = express()
    if (guarded)
      app
        .use(expressAuth(auth))
        .get('/r', expressGuard(rule), (req, res) => res.json({ ok: req.identity.subject }))
    else app.get('/r', (_req, res) => res.json({ ok: 'alice' }))
    const socket = new Socket()
    return () =>
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
        app(req, res)
      })
  }
  if (framework === 'fastify') {
    const app = Fastify()
    if (guarded) {
      await app.register(fastifyAuth, { auth })
      app.get('/r', { preHandler: fastifyGuard(rule) }, async (req) => ({ ok: req.identity.subject }))
    } else app.get('/r', async () => ({ ok: 'alice' }))
    await app.ready()
    return async () => (await app.inject({ url: '/r', headers: { authorization } })).statusCode
  }
  if (framework === 'hono') {
    const app = guarded
      ? new Hono()
          .use(honoAuth(auth))
          .get('/r', honoGuard(rule), (c) => c.json({ ok: c.var.identity.subject }))
      : new Hono().get('/r', (c) => c.json({ ok: 'alice' }))
    return async () =>
      (await app.fetch(new Request('http://127.0.0.1/r', { headers: { authorization } }))).status
  }
  if (framework === 'next') {
    const handler = guarded
      ? withAuth(auth, (_request, { identity }) => Response.json({ ok: identity.subject }), rule)
      : () => Response.json({ ok: 'alice' })
    const context = { params: Promise.resolve({}) }
    return async () =>
      (await handler(new NextRequest('http://127.0.0.1/r', { headers: { authorization } }), context)).status
  }
  throw new Error(`unknown framework ${framework}`)
}

const call = await build()
if ((await call()) !== 200) throw new Error('the app did not answer 200')
for (let i = 0; i < Number(warm) + Number(count); i++) await call()
