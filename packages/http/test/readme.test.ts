import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type RequestListener } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Hono } from 'hono'
import { NextRequest } from 'next/server.js'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { listen, sign } from './support/fixtures.js'

// The README's code runs as pasted: each ```ts block is written to a module and imported.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1]!)
  // A block naming its file is that file of examples/ (the example's own test checks and runs it).
  .filter((block) => !block.startsWith('// examples/'))
const dir = new URL('./.readme-tmp/', import.meta.url)
mkdirSync(dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run<T>(index: number): Promise<T> {
  const file = new URL(`block-${index}.ts`, dir)
  writeFileSync(file, `${blocks[index]}\nexport {}\n`)
  return import(/* @vite-ignore */ file.href) as Promise<T>
}

const bearer = async (payload?: Record<string, unknown>) => ({
  authorization: `Bearer ${await sign(payload)}`,
})

describe('the README quick starts', () => {
  it('has one per framework, and the claims declaration', () => {
    expect(blocks).toHaveLength(7)
  })

  it('Express: a public route, a scope and a role, over real HTTP', async () => {
    const { app } = await run<{ app: RequestListener }>(0)
    const url = await listen(createServer(app))
    expect(await (await fetch(`${url}/me`)).json()).toEqual({ subject: null })
    const anonymous = await fetch(`${url}/reports`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect(await (await fetch(`${url}/reports`, { headers: await bearer() })).json()).toEqual(['q1', 'q2'])
    const remove = await fetch(`${url}/users/7`, { method: 'DELETE', headers: await bearer() })
    expect(remove.status).toBe(403)
    expect(await remove.json()).toMatchObject({ error: 'forbidden' })
  })

  it('Fastify: the plugin and a preHandler guard, over real HTTP', async () => {
    const { app } = await run<{ app: FastifyInstance }>(1)
    onTestFinished(() => app.close())
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    expect(await (await fetch(`${url}/me`, { headers: await bearer() })).json()).toEqual({ subject: 'alice' })
    expect((await fetch(`${url}/reports`)).status).toBe(401)
    expect(await (await fetch(`${url}/reports`, { headers: await bearer() })).json()).toEqual(['q1', 'q2'])
  })

  it('Hono: typed claims past the guard, through app.fetch', async () => {
    const { app } = await run<{ app: Hono }>(2)
    const call = async (path: string, headers?: Record<string, string>) =>
      app.fetch(new Request(`http://127.0.0.1${path}`, headers ? { headers } : {}))
    expect(await (await call('/me')).json()).toEqual({ subject: null })
    expect(await (await call('/reports', await bearer())).json()).toEqual(['acme'])
    expect((await call('/reports', await bearer({ scope: 'other' }))).status).toBe(403)
  })

  it('Next.js: the route handler and middleware.ts, on NextRequest', async () => {
    const { GET } = await run<{ GET: (request: NextRequest, context: object) => Promise<Response> }>(3)
    const context = { params: Promise.resolve({}) }
    const ok = await GET(
      new NextRequest('http://127.0.0.1/api/reports', { headers: await bearer() }),
      context,
    )
    expect(await ok.json()).toEqual({ subject: 'alice' })
    expect((await GET(new NextRequest('http://127.0.0.1/api/reports'), context)).status).toBe(401)

    const { middleware, config } = await run<{
      middleware: (request: NextRequest) => Promise<Response>
      config: { matcher: string }
    }>(4)
    expect(config.matcher).toBe('/api/admin/:path*')
    const user = await middleware(new NextRequest('http://127.0.0.1/api/admin', { headers: await bearer() }))
    expect(user.status).toBe(403)
    const admin = await middleware(
      new NextRequest('http://127.0.0.1/api/admin', { headers: await bearer({ roles: ['admin'] }) }),
    )
    expect(admin.headers.get('x-middleware-next')).toBe('1')
  })

  it('Protected-resource metadata: the document, and resource_metadata in the 401, over real HTTP', async () => {
    const { app } = await run<{ app: RequestListener }>(6)
    const url = await listen(createServer(app))
    const metadata = await fetch(`${url}/.well-known/oauth-protected-resource/mcp`)
    expect(await metadata.json()).toMatchObject({ resource: 'https://api.example.com/mcp' })
    const anonymous = await fetch(`${url}/mcp`, { method: 'POST' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe(
      'Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
    )
  })
})

describe("the root README's protected route per framework", () => {
  const root = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const section =
    root.split('\n## A protected REST route, in five lines or fewer\n')[1]?.split('\n## ')[0] ?? ''
  const snippets = [
    ...section.matchAll(/\[[^\]]+\]\(packages\/http#([\w-]+)\)[^\n]*:\n\n```ts\n([\s\S]*?)```/g),
  ].map((match) => ({ anchor: match[1]!, lines: match[2]!.trimEnd().split('\n') }))
  /** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
  const slug = (heading: string) =>
    heading
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-')
  const quickStarts = new Map(
    readme
      .split('\n### ')
      .slice(1)
      .map((part) => [slug(part.split('\n')[0]!), part.split('\n## ')[0]!.split('\n')] as const),
  )

  it('shows Express, Fastify, Hono and Next, each linked to its quick start', () => {
    expect(snippets.map((snippet) => snippet.anchor)).toEqual([
      'express-4-and-5-and-connect',
      'fastify',
      'hono-node-bun-deno-workers-edge',
      'nextjs-app-router',
    ])
    for (const { anchor } of snippets) expect(quickStarts.has(anchor)).toBe(true)
  })

  it('takes five lines or fewer, each a line of the quick start that runs as pasted', () => {
    for (const { anchor, lines } of snippets) {
      expect(lines.length).toBeLessThanOrEqual(5)
      const quickStart = quickStarts.get(anchor) ?? []
      for (const line of lines) expect(quickStart, `${anchor}: ${line}`).toContain(line)
    }
  })
})
