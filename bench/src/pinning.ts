import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'

/** CPU lists for `taskset -c`: the bench process (in-process sections, the HTTP load client) and the servers. */
export interface Pinning {
  readonly bench: string
  readonly servers: string
}

/** Set in the re-executed, pinned bench process (and so inherited by its children). */
const PINNED = 'PORTCULLIS_BENCH_PINNED'

/**
 * The WebCrypto thread pool's size in the pinned bench and in every server: one libuv thread, so
 * every asynchronous verification (jose's, ours) hops to the same warm thread on the same core,
 * instead of to whichever of four threads is free.
 */
export const THREADPOOL_SIZE = '1'

let cached: Pinning | undefined | null = null

/**
 * Where the bench pins its processes: on Linux with `taskset` and at least 2 CPUs, the bench on CPU 0
 * and the servers on CPU 1 (so a server never shares its core and caches with the load client);
 * `undefined` elsewhere (macOS, Windows, one CPU), where nothing is pinned.
 *
 * @example
 * const pin = pinning() // { bench: '0', servers: '1' } on a 2-core Linux machine
 */
export function pinning(): Pinning | undefined {
  if (cached !== null) return cached
  const available =
    process.platform === 'linux' &&
    cpus().length >= 2 &&
    spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0
  cached = available ? { bench: '0', servers: '1' } : undefined
  return cached
}

/** One line for the report header: what was pinned where, or that nothing was. */
export function pinningText(): string {
  const pin = pinning()
  return pin
    ? `pinned with \`taskset\`: the bench (in-process sections, the load client) on CPU ${pin.bench}, every server on CPU ${pin.servers}; UV_THREADPOOL_SIZE=${THREADPOOL_SIZE}`
    : "not pinned (no `taskset` or fewer than 2 CPUs: Linux only), so each figure carries the scheduler's noise"
}

/**
 * Runs this very process again under `taskset -c <bench CPU>` with the thread pool size set, and
 * resolves to its exit code; `undefined` when nothing is to be done (already pinned, or no pinning
 * on this machine), and the caller goes on.
 *
 * @example
 * const code = reexecPinned()
 * if (code !== undefined) process.exit(code)
 */
export function reexecPinned(): number | undefined {
  const pin = pinning()
  if (!pin || process.env[PINNED] === '1') return undefined
  const result = spawnSync(
    'taskset',
    ['-c', pin.bench, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [PINNED]: '1', UV_THREADPOOL_SIZE: THREADPOOL_SIZE } },
  )
  return result.status ?? 1
}

/**
 * The command that starts a Node server process: under `taskset -c <servers CPU>` when pinning, with
 * the same V8 flags for every server.
 *
 * @example
 * const [command, args] = serverCommand(['--cpu-prof'], 'server-child.js', ['Yoga bare'])
 */
export function serverCommand(
  execArgv: readonly string[],
  script: string,
  args: readonly string[],
): [string, string[]] {
  const node = [...SERVER_FLAGS, ...execArgv, script, ...args]
  const pin = pinning()
  return pin ? ['taskset', ['-c', pin.servers, process.execPath, ...node]] : [process.execPath, node]
}

/**
 * V8 flags of every server process, alike for all: `--expose-gc` for the young-generation GC the bench
 * asks for between slots (outside the timed region), and one young-generation size.
 */
export const SERVER_FLAGS: readonly string[] = ['--expose-gc', '--max-semi-space-size=16']

/** The environment of a server process: the thread pool size of the pinned bench. */
export const serverEnv = (): Record<string, string> =>
  pinning() ? { UV_THREADPOOL_SIZE: THREADPOOL_SIZE } : {}
