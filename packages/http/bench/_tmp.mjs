import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { createAuth } from '@portcullis/core'
import { authMiddleware, requireAuth } from '@portcullis/http/express'
import express from 'express'
import { SignJWT } from 'jose'

const issuer = 'https://id.example.com/',
  audience = 'https://api.example.com',
  secret = 'a-shared-secret-of-at-least-32-bytes!!'
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
const noop = (_q, _r, n) => n()
const apps = {
  bare: express().get('/r', (_req, res) => res.json({ ok: true })),
  noops: express()
    .use(noop)
    .get('/r', noop, (_req, res) => res.json({ ok: true })),
  mwOnly: express()
    .use(authMiddleware(auth))
    .get('/r', (req, res) => res.json({ ok: true })),
  setProp: express()
    .use((req, _r, n) => {
      req.identity = null
      n()
    })
    .get('/r', noop, (req, res) => res.json({ ok: true })),
  coreSync: express()
    .use((req, _r, n) => {
      auth.authenticateSync(req)
      n()
    })
    .get('/r', noop, (req, res) => res.json({ ok: true })),
  full: express()
    .use(authMiddleware(auth))
    .get('/r', requireAuth({ scopes: ['read'] }), (req, res) => res.json({ ok: req.identity.subject })),
}
const socket = new Socket()
const call = (app) =>
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
console.log(await call(apps.full), await call(apps.bare))
for (let i = 0; i < 2000; i++) for (const k in apps) await call(apps[k])
const t = {}
for (const k in apps) t[k] = []
const keys = Object.keys(apps)
for (let round = 0; round < 18; round++)
  for (let j = 0; j < keys.length; j++) {
    const k = keys[(j + round) % keys.length]
    const s = process.hrtime.bigint()
    for (let i = 0; i < 3000; i++) await call(apps[k])
    t[k].push(Number(process.hrtime.bigint() - s) / 1000 / 3000)
  }
for (const k in t) {
  const v = t[k].sort((a, b) => a - b)
  console.log(k, v[7].toFixed(2), 'µs')
}
