import { renewBeforeExpiry } from '@portcullis/core'
import { describe, expect, it, onTestFinished } from 'vitest'

/** Tokens named by their expiry offset from the start, read through the `expiresAt` hook. */
function tokens(start = Date.now()) {
  return { start, expiresAt: (token: string) => start + Number(token) }
}

describe('renewBeforeExpiry', () => {
  it('sends a new token `lead` ms before exp, then schedules from the new token', async () => {
    const { start, expiresAt } = tokens()
    const sent: { token: string; at: number }[] = []
    let next = 1_000
    const renewal = renewBeforeExpiry({
      getToken: () => {
        next += 400
        return String(next)
      },
      send: (token) => sent.push({ token, at: Date.now() - start }),
      lead: 300,
      expiresAt,
    }).start('1000')
    onTestFinished(() => renewal.stop())
    await expect.poll(() => sent.length, { timeout: 4_000 }).toBeGreaterThanOrEqual(2)
    renewal.stop()
    expect(sent.map((s) => s.token)).toEqual(['1400', '1800'])
    // 1000 - 300 = 700 ms in, then 1400 - 300 = 1100 ms in: each before the token it replaces expires.
    expect(sent[0]!.at).toBeGreaterThanOrEqual(690)
    expect(sent[0]!.at).toBeLessThan(1_000)
    expect(sent[1]!.at).toBeGreaterThanOrEqual(1_090)
    expect(sent[1]!.at).toBeLessThan(1_400)
  })

  it("reads the JWT's exp when no expiresAt is given", async () => {
    const payload = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 1 })).toString(
      'base64url',
    )
    const sent: string[] = []
    const renewal = renewBeforeExpiry({
      getToken: () => 'next',
      send: (token) => sent.push(token),
      lead: 5_000,
    })
    onTestFinished(() => renewal.stop())
    // Capped at half the token's life: within about 0.5 s.
    renewal.start(`e30.${payload}.sig`)
    await expect.poll(() => sent, { timeout: 2_000 }).toEqual(['next'])
  })

  it('reports a failed renewal to onError and retries until the token expires', async () => {
    const { expiresAt } = tokens()
    const errors: unknown[] = []
    let attempts = 0
    const renewal = renewBeforeExpiry({
      getToken: () => 'x',
      send: () => {
        attempts++
        throw new Error('refused')
      },
      lead: 400,
      expiresAt,
      onError: (error) => errors.push(error),
    }).start('800')
    onTestFinished(() => renewal.stop())
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    // At 400 ms, then every 100 ms while more than 100 ms are left: bounded by the expiry.
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(attempts).toBeLessThanOrEqual(5)
    const settled = attempts
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(attempts).toBe(settled)
    expect(errors).toHaveLength(attempts)
  })

  it('sends nothing once stopped', async () => {
    const { expiresAt } = tokens()
    let sent = 0
    const renewal = renewBeforeExpiry({ getToken: () => '1000', send: () => sent++, lead: 150, expiresAt })
    renewal.start('200').stop()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(sent).toBe(0)
  })

  it('checks its options, naming each', () => {
    expect(() => renewBeforeExpiry({ send: () => {} } as never)).toThrow('"getToken" must be a function')
    expect(() => renewBeforeExpiry({ getToken: () => '' } as never)).toThrow('"send" must be a function')
    expect(() => renewBeforeExpiry({ getToken: () => '', send: () => {}, lead: -1 })).toThrow('"lead"')
  })
})
