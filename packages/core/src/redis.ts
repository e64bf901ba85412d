export type { RedisClientLike, RedisStoreOptions } from './stores/redis.js'
export { redisStore } from './stores/redis.js'
