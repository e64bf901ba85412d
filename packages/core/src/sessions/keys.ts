import type { SecretInput } from '../keys/key.js'
import { secretKeys } from './secret-keys.js'
import type { PrivateKeyInput, SessionKeys } from './session-keys.js'
import { signingKeys } from './signing-keys.js'

const toArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T])

/** Builds the session keys from `secret` or `signingKey`; every mistake is a `TypeError` naming the option. */
export function sessionKeys(input: {
  secret?: SecretInput | readonly SecretInput[]
  signingKey?: PrivateKeyInput | readonly PrivateKeyInput[]
  sealed?: boolean
}): SessionKeys {
  const { secret, signingKey, sealed = false } = input
  if (typeof sealed !== 'boolean') throw new TypeError('"sealed" must be a boolean')
  if (secret !== undefined && signingKey !== undefined)
    throw new TypeError('give either "secret" or "signingKey", not both')
  if (secret !== undefined) {
    const secrets = toArray(secret)
    if (secrets.length === 0) throw new TypeError('"secret" must not be empty')
    return secretKeys(secrets, Array.isArray(secret), sealed)
  }
  if (signingKey !== undefined) {
    if (sealed)
      throw new TypeError('"sealed" needs "secret": sealed sessions are encrypted with a shared secret')
    const keys = toArray(signingKey)
    if (keys.length === 0) throw new TypeError('"signingKey" must not be empty')
    return signingKeys(keys, Array.isArray(signingKey))
  }
  throw new TypeError('createSessions() needs "secret" (at least 32 bytes) or "signingKey"')
}
