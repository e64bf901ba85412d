import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type Outcome, outcomeOf, sendRaw, viaBoth } from '../support/both.js'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'

// Issue 11: authenticate read whatever it was handed as a header record. Hono's c.req (a wrapper
// whose Request is `.raw`) read as anonymous for a valid token; Fastify's request and Koa's ctx
// read Node's merged headers, which keep only the first of two Authorization headers, so a second
// credential went unseen. Each framework's request is now read through what it wraps, and an
// object that is no request is a TypeError naming it.
const auth = createAuth({ issuer, audience, secret })
const alice = forge({ alg: 'HS256' }, claims())
const mallory = forge({ alg: 'HS256' }, claims(Date.now(), { sub: 'mallory' }))
const one: Array<[string, string]> = [['authorization', `Bearer ${alice}`]]
const two: Array<[string, string]> = [...one, ['authorization', `Bearer ${mallory}`]]
const authenticated = { status: 'authenticated', subject: 'alice', source: 'bearer' }
const ambiguous = { status: 'rejected', code: 'token_ambiguous', httpStatus: 400 }

describe('issue 11: framework request objects', () => {
  it("reads Fastify's request through request.raw", async () => {
    const app = Fastify()
    app.get('/', async (request) => outcomeOf(await auth.authenticate(request)))
    await app.listen({ port: 0, host: '127.0.0.1' })
    onTestFinished(() => app.close())
    const { port } = app.server.address() as AddressInfo
    expect(await sendRaw(port, one)).toEqual(authenticated)
    expect(await sendRaw(port, two)).toMatchObject(ambiguous)
  })

  it("reads Koa's ctx, ctx.request and ctx.req through the Node request", async () => {
    const app = new Koa()
    const seen: Outcome[] = []
    app.use(async (ctx) => {
      for (const request of [ctx, ctx.request, ctx.req])
        seen.push(outcomeOf(await auth.authenticate(request)))
      ctx.body = seen.at(-1)
    })
    const server = app.listen(0, '127.0.0.1')
    onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
    await new Promise((ready) => server.once('listening', ready))
    const { port } = server.address() as AddressInfo
    await sendRaw(port, one)
    expect(seen.splice(0)).toEqual([authenticated, authenticated, authenticated])
    await sendRaw(port, two)
    expect(seen.splice(0)).toEqual([
      expect.objectContaining(ambiguous),
      expect.objectContaining(ambiguous),
      expect.objectContaining(ambiguous),
    ])
  })

  it("reads Hono's c.req through its raw Request", async () => {
    const app = new Hono()
    app.get('/', async (c) => c.json(outcomeOf(await auth.authenticate(c.req))))
    const answer = async (headers: Array<[string, string]>) =>
      (await app.fetch(new Request('http://127.0.0.1/', { headers }))).json()
    expect(await answer(one)).toEqual(authenticated)
    // A Fetch Request joins the two headers with ", ": still two credentials.
    expect(await answer(two)).toMatchObject(ambiguous)
  })

  it('still reads a Node IncomingMessage and a Fetch Request', async () => {
    const { node, fetch } = await viaBoth(auth, one)
    expect(node).toEqual(authenticated)
    expect(fetch).toEqual(authenticated)
  })

  it.each([
    ['undefined', undefined, 'got undefined'],
    ['null', null, 'got null'],
    ['a string', `Bearer ${alice}`, 'got string'],
    [
      'a request under another key',
      { request: new Request('http://x/', { headers: one }) },
      'got an object with keys request',
    ],
    ['a Map of headers', new Map(one), 'got an instance of Map'],
    ['a Koa app', new Koa(), 'got an instance of Application'],
  ])('refuses %s with a TypeError naming it, never as anonymous', async (_name, value, named) => {
    const error = await auth.authenticate(value as never).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toContain(named)
    expect((error as Error).message).not.toContain(alice)
    expect(() => auth.authenticateSync(value as never)).toThrow(TypeError)
  })
})
