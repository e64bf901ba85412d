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
import { NextRequest } from 'next/server.js'
import { AUDIENCE, ISSUER, keyMaterial, signToken } from '../tokens.js'

/** One request through an app: resolves to the response body, which the bench checks before timing. */
export type Call = () => Promise<string>

/** A framework bare and the same framework with the middleware and a guard, answering the same route. */
export interface Pair {
  readonly name: string
  readonly bare: Call
  readonly protected: Call
  /**
   * Why this row has no target, when its `bare` is not the bare framework (the row is then informative):
   * a ratio against something that is not the framework cannot say "within 97% of the framework".
   */
  readonly informative?: string
  /** Closes what the pair opened. */
  readonly close?: () => Promise<unknown>
}

const guard = { scopes: ['read:reports'] }

/**
 * Express without a socket: a real `IncomingMessage` and `ServerResponse`, the body captured from
 * `res.end`. Node's HTTP parser is left out, so the row shows Express and the middleware only.
 */
function nodeCall(authorization: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Call {
  const socket = new Socket()
  return () =>
    new Promise((resolve) => {
      const req = new IncomingMessage(socket)
      req.method = 'GET'
      req.url = '/reports'
      req.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization]
      req.headers = { host: '127.0.0.1', authorization }
      const res = new ServerResponse(req)
      res.end = ((chunk?: unknown) => {
        resolve(String(chunk ?? ''))
        return res
      }) as ServerResponse['end']
      handler(req, res)
    })
}

/**
 * Every framework of `@portcullis/http`, bare and protected, with one cached HS256 bearer token on
 * every request (what a client sends until the token expires). In-process where the framework
 * offers it: Hono `app.fetch`, Fastify `inject`, a Next route handler called with a `NextRequest`,
 * Express called with a real `IncomingMessage`; plus the Express middleware and guard alone.
 */
export async function frameworkPairs(): Promise<Pair[]> {
  const material = await keyMaterial('HS256')
  const auth = createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: material.secret! })
  const authorization = `Bearer ${await signToken(material)}`
  const headers = { authorization }
  const url = 'http://127.0.0.1/reports'

  const honoBare = new Hono().get('/reports', (c) => c.json({ subject: 'alice' }))
  const hono = new Hono()
    .use(honoAuth(auth))
    .get('/reports', honoGuard(guard), (c) => c.json({ subject: c.var.identity.subject }))

  const fastifyBare = Fastify()
  fastifyBare.get('/reports', async () => ({ subject: 'alice' }))
  const fastify = Fastify()
  await fastify.register(fastifyAuth, { auth })
  fastify.get('/reports', { preHandler: fastifyGuard(guard) }, async (request) => ({
    subject: request.identity?.subject,
  }))
  await Promise.all([fastifyBare.ready(), fastify.ready()])

  const nextBare = (_request: NextRequest, _context: { params: Promise<object> }) =>
    Response.json({ subject: 'alice' })
  const nextGet = withAuth(
    auth,
    (_request, { identity }) => Response.json({ subject: identity.subject }),
    guard,
  )
  const context = { params: Promise.resolve({}) }

  const expressBare = express().get('/reports', (_req, res) => {
    res.json({ subject: 'alice' })
  })
  const expressApp = express()
    .use(expressAuth(auth))
    .get('/reports', expressGuard(guard), (req, res) => {
      res.json({ subject: req.identity?.subject })
    })

  const middleware = expressAuth(auth)
  const check = expressGuard(guard)
  const alone = (withAuthLayer: boolean) =>
    nodeCall(authorization, (req, res) => {
      if (!withAuthLayer) return res.end(JSON.stringify({ subject: 'alice' }))
      middleware(req, res, () =>
        check(req, res, () =>
          res.end(
            JSON.stringify({
              subject: (req as IncomingMessage & { identity?: { subject: string } }).identity?.subject,
            }),
          ),
        ),
      )
    })

  return [
    {
      name: 'Hono, `app.fetch(new Request(...))`',
      bare: async () => (await honoBare.fetch(new Request(url, { headers }))).text(),
      protected: async () => (await hono.fetch(new Request(url, { headers }))).text(),
    },
    {
      name: 'Fastify 5, `app.inject(...)`',
      bare: async () => (await fastifyBare.inject({ url: '/reports', headers })).body,
      protected: async () => (await fastify.inject({ url: '/reports', headers })).body,
      close: () => Promise.all([fastifyBare.close(), fastify.close()]),
    },
    {
      name: 'Next route handler, called with a `NextRequest`',
      bare: async () => (await nextBare(new NextRequest(url, { headers }), context)).text(),
      protected: async () => (await nextGet(new NextRequest(url, { headers }), context)).text(),
    },
    {
      name: 'Express 5 app, on an `IncomingMessage` (no socket)',
      bare: nodeCall(authorization, (req, res) => expressBare(req, res)),
      protected: nodeCall(authorization, (req, res) => expressApp(req, res)),
    },
    {
      name: 'Express middleware and guard alone, on an `IncomingMessage`',
      bare: alone(false),
      protected: alone(true),
      // Its `bare` is `res.end` alone, no framework at all: the ratio is our cost over almost nothing.
      informative: 'no target: its bare is `res.end` alone, not a framework',
    },
  ]
}
