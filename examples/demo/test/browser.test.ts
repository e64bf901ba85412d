import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoServer, type DemoServer } from '../src/server.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const ACCESS_TTL = 2

let demo: DemoServer
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
  ;[demo, browser] = await Promise.all([
    createDemoServer({ port: 0, accessTtl: ACCESS_TTL }),
    chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 15_000 }),
  ])
})

afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  context.setDefaultTimeout(5000)
  return { context, page: await context.newPage() }
}

async function logIn(page: Page, user: string): Promise<void> {
  await page.goto(`${demo.url}/login`)
  await page.click(`[data-user="${user}"]`)
  await page.waitForURL(`${demo.url}/`)
  await page.waitForSelector(`#who[data-subject="${user}"]`)
}

/** Each call's HTTP status and answer, as the page shows them. */
const shown = (page: Page): Promise<Record<string, { status: number; answer: string }>> =>
  page.$$eval('[data-result]', (cells) =>
    Object.fromEntries(
      cells.map((cell) => [
        (cell as HTMLElement).dataset.result,
        { status: Number((cell as HTMLElement).dataset.status), answer: cell.textContent ?? '' },
      ]),
    ),
  )

/** The answers the page shows once it has loaded: it calls everything by itself, without a click. */
async function answersOnLoad(page: Page): Promise<Record<string, { status: number; answer: string }>> {
  await page.waitForSelector('body[data-done="1"]')
  return shown(page)
}

/** Presses "Call everything" (after the round the page made on load) and returns the new answers. */
async function callEverything(page: Page): Promise<Record<string, { status: number; answer: string }>> {
  await page.waitForSelector('body[data-done]')
  const round = Number(await page.getAttribute('body', 'data-done')) + 1
  await page.click('#call-all')
  await page.waitForSelector(`body[data-done="${round}"]`)
  return shown(page)
}

const statuses = (results: Record<string, { status: number }>) =>
  Object.fromEntries(Object.entries(results).map(([id, { status }]) => [id, status]))

const sessionCookies = async (context: BrowserContext) =>
  (await context.cookies(demo.url)).filter((cookie) => cookie.name.startsWith('__Host-session'))

describe('the demo in a real browser', () => {
  it('lets alice (admin) through every call, keeps working across an access-token refresh, and logs out', async () => {
    const { context, page } = await newPage()
    await logIn(page, 'alice')
    await expect(page.textContent('#who')).resolves.toContain('Logged in as alice')

    const cookies = await sessionCookies(context)
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['__Host-session', '__Host-session-refresh'])
    for (const cookie of cookies) {
      // __Host-: Secure, Path=/, no Domain (a host-only cookie). Chromium accepts Secure cookies on http://127.0.0.1.
      expect(cookie).toMatchObject({
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        path: '/',
        domain: '127.0.0.1',
      })
    }
    expect(await page.evaluate(() => document.cookie)).toBe('')

    await expect(page.isVisible('#logout')).resolves.toBe(true)
    await expect(page.textContent('#login')).resolves.toBe('Log in as someone else')
    const first = await answersOnLoad(page)
    expect(statuses(first)).toEqual({
      'trpc:hello': 200,
      'trpc:me': 200,
      'trpc:reports.list': 200,
      'trpc:reports.create': 200,
      'trpc:admin.stats': 200,
      'graphql:hello': 200,
      'graphql:me': 200,
      'graphql:reports': 200,
      'graphql:createReport': 200,
      'graphql:adminStats': 200,
    })
    expect(first['trpc:reports.list']!.answer).toContain('Q3 revenue')
    expect(first['graphql:adminStats']!.answer).toContain('"users":2')

    // The access cookie lives as long as its token; once the browser drops it, the refresh cookie renews it.
    const access = cookies.find((cookie) => cookie.name === '__Host-session')!.value
    const deadline = Date.now() + (ACCESS_TTL + 3) * 1000
    while ((await sessionCookies(context)).some((cookie) => cookie.name === '__Host-session')) {
      if (Date.now() > deadline) throw new Error('the access cookie never expired')
      await page.waitForTimeout(250)
    }
    const second = await callEverything(page)
    expect(statuses(second)).toEqual(statuses(first))
    const renewed = (await sessionCookies(context)).find((cookie) => cookie.name === '__Host-session')
    expect(renewed?.value).toBeDefined()
    expect(renewed?.value).not.toBe(access)

    // The token panel mints a bearer token that works without the cookies, as the curl command shows.
    await page.click('#mint')
    await page.waitForSelector('#token-panel:not([hidden])')
    const curl = (await page.textContent('#curl')) ?? ''
    const token = /Bearer ([\w.-]+)/.exec(curl)?.[1]
    expect(curl).toContain(`${demo.url}/trpc/reports.list`)
    const viaBearer = await fetch(`${demo.url}/trpc/admin.stats`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(viaBearer.status).toBe(200)

    await page.click('#logout')
    await page.waitForURL(`${demo.url}/login`)
    expect(await sessionCookies(context)).toEqual([])
    await page.goto(`${demo.url}/`)
    const after = await answersOnLoad(page)
    expect(after['trpc:me']!.status).toBe(401)
    expect(after['graphql:me']!.status).toBe(401)
    expect(after['trpc:hello']!.status).toBe(200)
    await context.close()
  })

  it('shows bob (reads reports only) the 403s for writing and for admin', async () => {
    const { context, page } = await newPage()
    await logIn(page, 'bob')
    const results = await answersOnLoad(page)
    expect(statuses(results)).toEqual({
      'trpc:hello': 200,
      'trpc:me': 200,
      'trpc:reports.list': 200,
      'trpc:reports.create': 403,
      'trpc:admin.stats': 403,
      'graphql:hello': 200,
      'graphql:me': 200,
      'graphql:reports': 200,
      'graphql:createReport': 403,
      'graphql:adminStats': 403,
    })
    expect(results['trpc:admin.stats']!.answer).toContain('FORBIDDEN')
    expect(results['graphql:createReport']!.answer).toContain('FORBIDDEN')
    await context.close()
  })

  it('shows a visitor without a session the public answers and the 401s', async () => {
    const { context, page } = await newPage()
    await page.goto(`${demo.url}/`)
    await page.waitForSelector('#who[data-subject=""]')
    const results = await answersOnLoad(page)
    expect(statuses(results)).toEqual({
      'trpc:hello': 200,
      'trpc:me': 401,
      'trpc:reports.list': 401,
      'trpc:reports.create': 401,
      'trpc:admin.stats': 401,
      'graphql:hello': 200,
      'graphql:me': 401,
      'graphql:reports': 401,
      'graphql:createReport': 401,
      'graphql:adminStats': 401,
    })
    expect(results['trpc:me']!.answer).toContain('UNAUTHORIZED')
    expect(results['trpc:hello']!.answer).toContain('hello, anonymous')
    // Nothing to log out of: no "Log out" button, and the link says "Log in".
    await expect(page.isHidden('#logout')).resolves.toBe(true)
    await expect(page.textContent('#login')).resolves.toBe('Log in')
    // "Call everything" gives the same answers again.
    expect(statuses(await callEverything(page))).toEqual(statuses(results))
    await context.close()
  })

  it('serves GraphiQL without a CDN: it renders with every other origin unreachable', async () => {
    const { context, page } = await newPage()
    const elsewhere: string[] = []
    await context.route('**/*', (route) => {
      if (route.request().url().startsWith(demo.url)) return route.continue()
      elsewhere.push(route.request().url())
      return route.abort()
    })
    await page.goto(`${demo.url}/graphql`)
    await page.waitForSelector('.graphiql-container', { timeout: 15_000 })
    expect(elsewhere).toEqual([])
    await context.close()
  })
})
