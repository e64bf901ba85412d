import { createAuth } from '@portcullis/core'
import { authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client'
import { initTRPC, tracked } from '@trpc/server'
import { EventSource } from 'eventsource'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, claims, issuer, secret, serveStandalone, sign } from './support/fixtures.js'

/** An app whose `events` replays an event log from `lastEventId`, then follows it live. */
function createLogApp() {
  const auth = createAuth({ issuer, audience, secret, claims, clockTolerance: 0 })
  const createContext = createAuthContext(auth)
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: authErrorFormatter })
  const { protectedProcedure } = createAuthProcedures(t)
  const log: number[] = []
  // Bounded: 400 entries, one every 10 ms, whoever listens.
  const writer = setInterval(() => log.length < 400 && log.push(log.length), 10)
  onTestFinished(() => clearInterval(writer))
  const router = t.router({
    events: protectedProcedure
      .input((input: unknown) => (input ?? {}) as { lastEventId?: string })
      .subscription(async function* ({ input, signal }) {
        let next = input.lastEventId === undefined ? 0 : Number(input.lastEventId) + 1
        while (!signal?.aborted && next < 400) {
          if (next < log.length) {
            yield tracked(String(next), log[next]!)
            next++
          } else await new Promise((resolve) => setTimeout(resolve, 5))
        }
      }),
  })
  return { router, createContext }
}
type Router = ReturnType<typeof createLogApp>['router']

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s

describe('renewing an SSE subscription (httpSubscriptionLink) means reconnecting with lastEventId', () => {
  it('loses no tracked event across the reconnect with a new token, past the old token expiry', async () => {
    const app = createLogApp()
    const url = await serveStandalone(app.router, app.createContext)
    // A Node EventSource can send a bearer header; a browser would send its (refreshed) cookies.
    const clientWith = (token: string) =>
      createTRPCClient<Router>({
        links: [
          httpSubscriptionLink({
            url: `${url}/trpc`,
            EventSource,
            eventSourceOptions: {
              fetch: (input, init) =>
                fetch(input, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } }),
            },
          }),
        ],
      })
    const firstExpiry = inSeconds(2) * 1000
    const seen: number[] = []
    const errors: unknown[] = []
    let lastEventId: string | undefined
    const follow = (token: string) => {
      const subscription = clientWith(token).events.subscribe(lastEventId ? { lastEventId } : {}, {
        onData: ({ id, data }) => {
          lastEventId = id
          seen.push(data)
        },
        onError: (error) => errors.push(error),
      })
      onTestFinished(() => subscription.unsubscribe())
      return subscription
    }

    const first = follow(await sign({ exp: firstExpiry / 1000 }))
    await expect.poll(() => seen.length).toBeGreaterThan(10)
    // Renewal: stop, and resume from the last event id with the new token.
    first.unsubscribe()
    const renewed = await sign({ exp: inSeconds(60) })
    await new Promise((resolve) => setTimeout(resolve, 100)) // events keep coming meanwhile
    follow(renewed)
    await expect
      .poll(() => Date.now() > firstExpiry + 300 && seen.length > 50, { timeout: 5_000, interval: 50 })
      .toBe(true)
    expect(errors).toEqual([])
    expect(seen).toEqual(seen.map((_, index) => index))
  })
})
