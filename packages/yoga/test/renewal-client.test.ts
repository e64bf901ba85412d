import { renewOverGraphQLWS } from '@portcullis/yoga'
import { describe, expect, it, onTestFinished } from 'vitest'

/** A token whose `exp` is `ms` from now (unsigned: the helper reads `exp` only to schedule). */
const tokenExpiringIn = (ms: number, tag = 'x') =>
  `e30.${Buffer.from(JSON.stringify({ exp: (Date.now() + ms) / 1000, tag })).toString('base64url')}.sig`

/**
 * Plays graphql-ws's part: `createClient` calls `connectionParams`, then `on.connected` with the
 * socket, then `on.pong` for each pong. `answer` decides each pong's payload from the ping sent.
 */
async function connectWith(
  renewal: ReturnType<typeof renewOverGraphQLWS>,
  answer: (payload: Record<string, unknown>) => Record<string, unknown> | undefined,
) {
  const sent: Record<string, unknown>[] = []
  const params = await renewal.clientOptions.connectionParams()
  renewal.clientOptions.on.connected({
    send(data: string) {
      const message = JSON.parse(data) as { type: string; payload: Record<string, unknown> }
      sent.push(message)
      const pong = answer(message.payload)
      if (pong) setTimeout(() => renewal.clientOptions.on.pong(true, pong), 5)
    },
  })
  onTestFinished(() => renewal.clientOptions.on.closed())
  return { params, sent }
}

describe('renewOverGraphQLWS', () => {
  it('connects with the token as a bearer header, then pings a fresh one before exp', async () => {
    const first = tokenExpiringIn(600, 'first')
    const next = tokenExpiringIn(60_000, 'next')
    const tokens = [first, next]
    const renewal = renewOverGraphQLWS({ getToken: () => tokens.shift()!, lead: 300 })
    onTestFinished(() => renewal.stop())
    const { params, sent } = await connectWith(renewal, () => ({ renewal: 'renewed', expiresAt: 0 }))
    expect(params).toEqual({ authorization: `Bearer ${first}` })
    await expect.poll(() => sent, { timeout: 2_000 }).toEqual([{ type: 'ping', payload: { token: next } }])
  })

  it('reports a refused renewal to onError with the server code, never the token', async () => {
    const errors: Error[] = []
    const next = tokenExpiringIn(60_000, 'refused')
    const tokens = [tokenExpiringIn(800), next]
    const renewal = renewOverGraphQLWS({
      getToken: () => tokens.shift() ?? next,
      lead: 400,
      onError: (error) => errors.push(error as Error),
    })
    onTestFinished(() => renewal.stop())
    await connectWith(renewal, () => ({ renewal: 'rejected', code: 'token_expired' }))
    await expect.poll(() => errors.length, { timeout: 2_000 }).toBeGreaterThan(0)
    expect(errors[0]!.message).toBe('renewal rejected: token_expired')
    expect(errors[0]!.message).not.toContain(next)
  })

  it('fails a renewal the server does not answer (no renewOnPing: a plain echo) after `timeout`', async () => {
    const errors: Error[] = []
    const tokens = [tokenExpiringIn(800), tokenExpiringIn(60_000)]
    const renewal = renewOverGraphQLWS({
      getToken: () => tokens.shift() ?? 'x',
      lead: 400,
      timeout: 100,
      onError: (error) => errors.push(error as Error),
    })
    onTestFinished(() => renewal.stop())
    // A server without the hook echoes the payload: no verdict in it.
    await connectWith(renewal, (payload) => payload)
    await expect.poll(() => errors.length, { timeout: 2_000 }).toBeGreaterThan(0)
    expect(errors[0]!.message).toBe('renewal: no pong from the server')
  })

  it('checks its options', () => {
    expect(() => renewOverGraphQLWS({} as never)).toThrow('"getToken" must be a function')
  })
})
