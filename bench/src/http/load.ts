import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { type Frame, topFrames } from '../profile.js'
import { startChild } from './child.js'
import type { Client } from './client.js'
import type { ServerKeys } from './peers.js'
import { REQUESTS, type Scenario } from './scenarios.js'

/** A benchmark server running in its own process, so that the load generator has the other core. */
export interface RunningServer {
  readonly scenario: Scenario
  readonly url: string
  /** CPU time the server process has used so far, in microseconds. */
  cpu(): Promise<number>
  /** A young-generation GC in the server process (between slots, outside the timed region). */
  settle(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts `scenario`'s server in a process of its own (pinned to the servers' CPU where `pinning()`
 * allows, with the same V8 flags as every other server) and resolves once it listens.
 */
export async function startServer(
  scenario: Scenario,
  keys: ServerKeys,
  execArgv: readonly string[] = [],
): Promise<RunningServer> {
  const child = await startChild(
    new URL('./server-child.js', import.meta.url),
    [scenario.name],
    { PORTCULLIS_BENCH_KEYS: JSON.stringify(keys) },
    `server "${scenario.name}"`,
    execArgv,
  )
  return {
    scenario,
    url: `http://127.0.0.1:${child.port}${REQUESTS[scenario.framework].path}`,
    cpu: child.cpu,
    settle: child.settle,
    stop: child.stop,
  }
}

/**
 * Checks that a server answers the token with its subject, and an authenticating one refuses no token.
 * Resolves to the exact body, which every timed request must then match.
 */
export async function checkServer(server: RunningServer, token: string): Promise<string> {
  const { expect: subject, anonymous } = REQUESTS[server.scenario.framework]
  const response = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } })
  const body = await response.text()
  const wanted = server.scenario.auth || server.scenario.floor ? subject : anonymous
  if (!response.ok || !body.includes(wanted))
    throw new Error(`${server.scenario.name}: expected ${wanted}, got ${response.status} ${body}`)
  if (server.scenario.auth) {
    const refused = await (await fetch(server.url)).text()
    if (refused.includes(subject)) throw new Error(`${server.scenario.name}: answered without a token`)
  }
  return body
}

export interface LoadResult {
  readonly requests: number
  /** CPU microseconds the server process spent during the run. */
  readonly cpu: number
  /** Errors, timeouts, non-2xx answers and bodies other than `expectBody`. */
  readonly failures: number
}

/**
 * One bounded autocannon run against `server`, the same token on every request: for `seconds`, or
 * for a number of requests (`{ requests }`). With `expectBody`, every answer is compared with it.
 */
export async function load(
  server: RunningServer,
  token: string,
  length: number | { requests: number },
  connections = 10,
  expectBody?: string,
): Promise<LoadResult> {
  const before = await server.cpu()
  const result = await autocannon({
    url: server.url,
    connections,
    ...(typeof length === 'number' ? { duration: length } : { amount: length.requests }),
    headers: { authorization: `Bearer ${token}` },
    ...(expectBody === undefined ? {} : { expectBody }),
  })
  return {
    requests: result.requests.total,
    cpu: (await server.cpu()) - before,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
  }
}

/**
 * `count` requests to `server` through `client`, every answer compared with `expectBody`: the CPU
 * microseconds the server spent on them. Throws on any failure, so that a wrong answer is never timed.
 */
export async function timedLoad(
  server: Pick<RunningServer, 'cpu'> & { readonly scenario: Pick<Scenario, 'name'> },
  client: Client,
  count: number,
  expectBody: string,
): Promise<number> {
  const before = await server.cpu()
  const failures = await client.run(count, expectBody)
  const cpu = (await server.cpu()) - before
  if (failures > 0)
    throw new Error(
      `${server.scenario.name}: ${failures} of ${count} requests failed or answered another body; not timing it`,
    )
  return cpu
}

/** Runs a server under `node --cpu-prof`, loads it for `seconds`, and returns its top frames. */
export async function profileServer(
  scenario: Scenario,
  keys: ServerKeys,
  token: string,
  seconds: number,
): Promise<Frame[]> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-prof-'))
  try {
    const server = await startServer(scenario, keys, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
    await load(server, token, seconds)
    await server.stop()
    const [profile] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))
    if (!profile) throw new Error(`no CPU profile was written for ${scenario.name}`)
    return await topFrames(join(dir, profile), 10, 'packages/')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
