import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'

/** The demo issuer's ES256 signing key: the private key for signing, the public JWK for the JWKS. */
export interface DevKey {
  readonly kid: string
  readonly privateKey: CryptoKey
  /** The private key as a JWK, for `createSessions({ signingKey })`. */
  readonly privateJwk: JWK
  readonly publicJwk: JWK
}

/**
 * Where `pnpm start` and `pnpm portcullis token` keep the dev key pair, so tokens minted by the CLI
 * verify against the running server. Gitignored; delete it to get a new key. `PORTCULLIS_KEY_FILE`
 * moves it.
 */
export const DEFAULT_KEY_FILE =
  process.env.PORTCULLIS_KEY_FILE || fileURLToPath(new URL('../.dev-keys.json', import.meta.url))

async function fromPrivateJwk(jwk: JWK): Promise<DevKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string')
    throw new TypeError('the dev key file does not hold an ES256 (P-256) private key')
  const privateKey = (await importJWK(jwk, 'ES256')) as CryptoKey
  const { d: _d, ...publicJwk } = jwk
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk))
  return {
    kid,
    privateKey,
    privateJwk: { ...jwk, kid, alg: 'ES256' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
  }
}

/**
 * Makes a fresh ES256 key pair, kept in memory only.
 *
 * @example
 * const key = await createDevKey()
 */
export async function createDevKey(): Promise<DevKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  const { d: _d, ...publicJwk } = jwk
  return fromPrivateJwk({ ...jwk, kid: await calculateJwkThumbprint(publicJwk) })
}

/**
 * Reads the dev key pair from `file`, creating it (mode 0600) on first use.
 *
 * @example
 * const key = await loadDevKey() // examples/demo/.dev-keys.json
 */
export async function loadDevKey(file: string = DEFAULT_KEY_FILE): Promise<DevKey> {
  let text: string | undefined
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text !== undefined) {
    let jwk: unknown
    try {
      jwk = JSON.parse(text)
    } catch {
      throw new TypeError(`${file} is not valid JSON; delete it to make a new dev key`)
    }
    return fromPrivateJwk(jwk as JWK)
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  const { d: _d, ...publicJwk } = jwk
  const stored = { ...jwk, kid: await calculateJwkThumbprint(publicJwk) }
  await mkdir(dirname(file), { recursive: true })
  try {
    // `wx`: when the server and the CLI start together, the first one creates it and both use it.
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  return fromPrivateJwk(JSON.parse(await readFile(file, 'utf8')) as JWK)
}
