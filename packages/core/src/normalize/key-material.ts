import type { JWK } from 'jose'
import { discoverJwksUri } from '../keys/discovery.js'
import { isSecureUrl } from '../keys/fetch.js'
import { createRemoteKeySet } from '../keys/jwks.js'
import {
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  KeyRejectedError,
  keyFromInput,
  keyFromJwk,
  keyFromSecret,
  type VerificationKey,
} from '../keys/key.js'
import { type KeySet, localKeySet } from '../keys/key-set.js'
import type { AuthOptions, IssuerOptions } from '../options.js'
import { toArray } from './checks.js'

/**
 * The key set of one issuer's key material (`jwks`, `keys` or `secret`, or OIDC discovery without
 * any), with the algorithms those keys can verify.
 */
export function keySetOf(
  input: IssuerOptions,
  at: string,
  issuer: string,
  common: AuthOptions<undefined>,
): { keySet: KeySet; algorithms: readonly Algorithm[] } {
  const given = ['jwks', 'keys', 'secret'].filter((name) => input[name as keyof IssuerOptions] !== undefined)
  if (given.length > 1)
    throw new TypeError(`${at}: give only one of "jwks", "keys" or "secret", not ${given.join(' and ')}`)
  const remote = (url: string | (() => Promise<string>)) =>
    createRemoteKeySet(url, { ...common.jwksOptions, onEvent: common.onEvent, now: common.now })
  if (input.secret !== undefined) {
    const secrets = toArray(input.secret)
    if (secrets.length === 0) throw new TypeError(`${at}: "secret" must not be empty`)
    const keys = secrets.map((secret, index) =>
      keyFromSecret(secret, Array.isArray(input.secret) ? `secret[${index}]` : 'secret'),
    )
    return { keySet: localKeySet(keys, `${at}.secret`), algorithms: union(keys) }
  }
  if (input.keys !== undefined) {
    if (!Array.isArray(input.keys) || input.keys.length === 0)
      throw new TypeError(`${at}: "keys" must be a non-empty array`)
    const keys = input.keys.map((key, index) => keyFromInput(key, index))
    return { keySet: localKeySet(keys, `${at}.keys`), algorithms: union(keys) }
  }
  if (input.jwks !== undefined) {
    const jwks = input.jwks
    if (typeof jwks === 'string' || jwks instanceof URL) {
      let url: URL
      try {
        url = new URL(jwks)
      } catch {
        throw new TypeError(`${at}: "jwks" must be an absolute URL or a JSON Web Key Set`)
      }
      // Keys fetched over plain http can be swapped by anyone on the path; loopback is for development.
      if (!isSecureUrl(url))
        throw new TypeError(`${at}: "jwks" URL must use https (plain http only on loopback)`)
      // fetch refuses such a URL and quotes it whole in its error: the password would reach messages.
      if (url.username !== '' || url.password !== '')
        throw new TypeError(
          `${at}: "jwks" URL must not contain a user name or password (send credentials in jwksOptions.headers)`,
        )
      return { keySet: remote(url.href), algorithms: ASYMMETRIC_ALGORITHMS }
    }
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys))
      throw new TypeError(`${at}: "jwks" must be a URL or a JSON Web Key Set ({ keys: [...] })`)
    const keys = jwks.keys.map((jwk: JWK, index: number): VerificationKey => {
      try {
        return keyFromJwk(jwk)
      } catch (error) {
        const reason = error instanceof KeyRejectedError ? error.message : 'it could not be parsed'
        throw new TypeError(`${at}: "jwks.keys[${index}]" is not usable: ${reason}`)
      }
    })
    if (keys.length === 0) throw new TypeError(`${at}: "jwks" has no keys`)
    return { keySet: localKeySet(keys, `${at}.jwks`), algorithms: union(keys) }
  }
  // No key material: OIDC discovery finds jwks_uri, once, and again only after a failure.
  let jwksUri: Promise<string> | undefined
  const discover = () => {
    jwksUri ??= discoverJwksUri(issuer, common.jwksOptions).catch((error: unknown) => {
      jwksUri = undefined
      throw error
    })
    return jwksUri
  }
  return { keySet: remote(discover), algorithms: ASYMMETRIC_ALGORITHMS }
}

function union(keys: readonly VerificationKey[]): Algorithm[] {
  return [...new Set(keys.flatMap((key) => key.algorithms))]
}
