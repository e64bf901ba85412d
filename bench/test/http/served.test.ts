import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { RunningServer } from '../../src/http/load.js'
import type { Scenario } from '../../src/http/scenarios.js'
import { servedBy, servedVariant } from '../../src/http/served.js'
import { palindromic } from '../../src/palindrome.js'

const BODY = '{"me":"alice"}'

/** A loopback process stand-in: answers BODY, counts its requests and the GCs the bench asked of it. */
async function serve(log: string[], name: string, body = BODY) {
  let requests = 0
  const server = createServer((_, res) => {
    requests++
    res.end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  onTestFinished(() => server.closeAllConnections())
  const running: RunningServer = {
    scenario: { name: 'Yoga bare', framework: 'yoga', auth: false, ours: false } as Scenario,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    // Each request costs this stand-in 1 µs of "CPU": a slot's cost is its request count.
    cpu: async () => requests,
    settle: async () => {
      log.push(`settle ${name}`)
    },
    stop: async () => {},
  }
  return { running, requests: () => requests }
}

const check = async () => BODY

describe('servedVariant', () => {
  it('loads the processes of a variant in turn, one sub-slot each, each collected just before its turn', async () => {
    const log: string[] = []
    const one = await serve(log, 'one')
    const two = await serve(log, 'two')
    const processes = servedBy([one.running, two.running], {}, 2)
    onTestFinished(() => {
      for (const { client } of processes) client.close()
    })
    const variant = servedVariant('Yoga bare', processes, BODY, check)
    const costs = await palindromic([variant], { cycles: 3, slotMs: 0.02, warmupMs: 0.01, subSlots: 2 })
    // Both processes took half of the timed sub-slots (and of the warm-up), alternately.
    expect(Math.abs(one.requests() - two.requests())).toBeLessThanOrEqual(one.requests() / 2)
    expect(log.slice(-4)).toEqual(['settle one', 'settle two', 'settle one', 'settle two'])
    expect(costs.get('Yoga bare')).toEqual([1, 1, 1])
  })

  it('checks every process: one that answers another body stops the run', async () => {
    const log: string[] = []
    const good = await serve(log, 'good')
    const bad = await serve(log, 'bad', '{"me":"anonymous"}')
    const processes = servedBy([good.running, bad.running], {}, 1)
    onTestFinished(() => {
      for (const { client } of processes) client.close()
    })
    const checkOne = async (server: RunningServer) => (await fetch(server.url)).text()
    const variant = servedVariant('Yoga bare', processes, BODY, checkOne)
    await expect(palindromic([variant], { cycles: 1, slotMs: 0.01, warmupMs: 0.01 })).rejects.toThrow(
      'Yoga bare: its answer changed during the run',
    )
    expect(good.requests() + bad.requests()).toBe(2)
  })
})
