import { type Duration, toSeconds } from '../internal/duration.js'
import type { Store } from './store.js'

/**
 * The few commands {@link redisStore} uses. An `ioredis` client (`Redis` or `Cluster`) fits; so does
 * any client with the same promise-returning methods.
 *
 * @example
 * const client: RedisClientLike = new Redis({ enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 */
export interface RedisClientLike {
  get(key: string): Promise<string | null>
  set(key: string, value: string, mode: 'PX', milliseconds: number): Promise<unknown>
  del(key: string): Promise<number>
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>
}

/**
 * Options of {@link redisStore}.
 *
 * @example
 * redisStore(redis, { prefix: 'myapp:sessions:', timeout: '500ms' })
 */
export interface RedisStoreOptions {
  /** Prefix of every key written, to share a Redis with other data. @default 'portcullis:' */
  prefix?: string
  /**
   * The longest one command may take before the store gives up and the request gets a 503
   * `store_unavailable`. Guards against a client that queues commands while disconnected.
   * @default '1s'
   */
  timeout?: Duration
  /**
   * A second connection for the per-request session read (the revocation check). Redis answers one
   * connection's commands in order, so on a single connection that read waits behind a rotation held
   * up by a write pause (`CLIENT PAUSE WRITE`, a failover) and fails after `timeout`; on its own
   * connection it keeps answering. Refreshes, sign-ins and revocations still use `client`.
   * @default client
   */
  readClient?: RedisClientLike
}

// KEYS[1] the key; ARGV: '1' when a current value is expected, the expected value, '1' to write,
// the new value, the TTL in milliseconds. GET and SET/DEL run as one step: nothing interleaves.
const COMPARE_AND_SWAP = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
else
  redis.call('DEL', KEYS[1])
end
return 1
`

// The value and its remaining TTL in milliseconds, in one step. Flagged read-only (Redis 7), so it
// runs during CLIENT PAUSE WRITE like a GET would.
const GET_WITH_TTL = `#!lua flags=no-writes
return { redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]) }`

/** Why the store failed, without anything the command carried. */
class StoreTimeoutError extends Error {
  override name = 'StoreTimeoutError'
}

/**
 * A {@link Store} on Redis, for sessions shared by several instances. Rotation is atomic (a Lua
 * script), and every command gives up after `timeout` so an outage turns into a 503, not a hang.
 * Create the client with `enableOfflineQueue: false` and a low `maxRetriesPerRequest` so commands
 * fail fast while Redis is away; ioredis reconnects by itself when it returns.
 *
 * @example
 * import { Redis } from 'ioredis'
 * import { redisStore } from '@portcullis/core/redis'
 *
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 * const sessions = createSessions({ secret, issuer, audience, store: redisStore(redis) })
 */
export function redisStore(client: RedisClientLike, options: RedisStoreOptions = {}): Store {
  if (typeof client !== 'object' || client === null || typeof client.eval !== 'function')
    throw new TypeError('redisStore() needs a Redis client such as new Redis() from ioredis')
  const prefix = options.prefix ?? 'portcullis:'
  if (typeof prefix !== 'string') throw new TypeError('"prefix" must be a string')
  const timeout = toSeconds(options.timeout ?? '1s', 'timeout') * 1000
  if (timeout <= 0) throw new TypeError('"timeout" must be more than zero')
  const reader = options.readClient ?? client
  if (typeof reader !== 'object' || reader === null || typeof reader.get !== 'function')
    throw new TypeError('"readClient" must be a Redis client such as new Redis() from ioredis')

  function bounded<T>(command: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreTimeoutError(`Redis did not answer within ${timeout} ms`)),
        timeout,
      )
      // Node.js: a pending timeout must not keep the process alive (other runtimes have no unref).
      ;(timer as { unref?: () => void }).unref?.()
    })
    // A command that settles after the timeout must not become an unhandled rejection.
    command.catch(() => {})
    return Promise.race([command, expired]).finally(() => clearTimeout(timer))
  }

  let ttlReads = true
  const ms = (ttl: number) => String(Math.max(1, Math.ceil(ttl * 1000)))

  return {
    async get(key) {
      return (await bounded(reader.get(prefix + key))) ?? undefined
    },
    async getWithTtl(key) {
      if (!ttlReads) {
        const value = await bounded(client.get(prefix + key))
        return value === null ? undefined : { value, ttl: Number.NaN }
      }
      let reply: unknown
      try {
        reply = await bounded(client.eval(GET_WITH_TTL, 1, prefix + key))
      } catch (error) {
        // A Redis before 7 cannot compile the flagged script: read plainly from then on. Any other
        // reply (BUSY, a failover) is an outage like any other.
        if (!(error instanceof Error) || error.name !== 'ReplyError' || !/compil/i.test(error.message))
          throw error
        ttlReads = false
        const value = await bounded(client.get(prefix + key))
        return value === null ? undefined : { value, ttl: Number.NaN }
      }
      const [value, pttl] = Array.isArray(reply) ? reply : []
      if (typeof value !== 'string') return undefined
      // -1 (no expiry) should not happen for our keys: then the grace window counts from the instance clock.
      return { value, ttl: typeof pttl === 'number' && pttl >= 0 ? pttl / 1000 : Number.NaN }
    },
    async set(key, value, ttl) {
      if (!(ttl > 0)) await bounded(client.del(prefix + key))
      else await bounded(client.set(prefix + key, value, 'PX', Number(ms(ttl))))
    },
    async delete(key) {
      await bounded(client.del(prefix + key))
    },
    async compareAndSwap(key, expected, value, ttl) {
      const write = value !== undefined && ttl > 0
      const result = await bounded(
        client.eval(
          COMPARE_AND_SWAP,
          1,
          prefix + key,
          expected === undefined ? '0' : '1',
          expected ?? '',
          write ? '1' : '0',
          value ?? '',
          ms(ttl),
        ),
      )
      return Number(result) === 1
    },
  }
}
