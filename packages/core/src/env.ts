import { type Auth, createAuth } from './create-auth.js'
import type { AuthOptions } from './options.js'
import { createSessions } from './sessions/create-sessions.js'
import type { Sessions, SessionsOptions } from './sessions/options.js'

/**
 * An environment the caller passes in: `process.env` on Node and Bun, a Worker's `env` binding,
 * `Deno.env.toObject()`. Values that are not strings (a Worker's KV bindings) are ignored.
 *
 * @example
 * const env: Environment = { PORTCULLIS_SESSION_SECRET: '...', PORTCULLIS_SESSION_ISSUER: 'https://api.example.com' }
 */
export type Environment = Readonly<Record<string, unknown>>

/**
 * The variables `sessionsFromEnv` and `authFromEnv` read, each with the `prefix` in front.
 *
 * @example
 * ENV_VARIABLES.sessionSecret // 'SESSION_SECRET', read as PORTCULLIS_SESSION_SECRET
 */
export const ENV_VARIABLES = {
  /** The session secret, at least 32 bytes. */
  sessionSecret: 'SESSION_SECRET',
  /** The secret before a rotation, still accepted; remove it once `accessTtl` has passed. */
  sessionSecretPrevious: 'SESSION_SECRET_PREVIOUS',
  /** The `iss` (and, unless `SESSION_AUDIENCE` is set, the `aud`) of session access tokens. */
  sessionIssuer: 'SESSION_ISSUER',
  sessionAudience: 'SESSION_AUDIENCE',
  /** The access cookie's name; the refresh cookie's is `SESSION_REFRESH_COOKIE` or `<name>-refresh`. */
  sessionCookie: 'SESSION_COOKIE',
  sessionRefreshCookie: 'SESSION_REFRESH_COOKIE',
  /** An identity provider's issuer, for bearer tokens; keys come from `JWKS_URL` or OIDC discovery. */
  issuer: 'ISSUER',
  /** Accepted `aud` values, comma-separated. */
  audience: 'AUDIENCE',
  jwksUrl: 'JWKS_URL',
} as const

/**
 * Options of {@link sessionsFromEnv} and {@link authFromEnv}.
 *
 * @example
 * sessionsFromEnv(process.env, {}, { prefix: 'APP_' }) // reads APP_SESSION_SECRET, ...
 */
export interface FromEnvOptions {
  /** Put before every variable name. @default 'PORTCULLIS_' */
  prefix?: string
}

function reader(env: Environment, options: FromEnvOptions) {
  if (typeof env !== 'object' || env === null)
    throw new TypeError('the environment must be an object such as process.env or a Worker env')
  const prefix = options.prefix ?? 'PORTCULLIS_'
  if (typeof prefix !== 'string') throw new TypeError('"prefix" must be a string')
  return {
    name: (key: keyof typeof ENV_VARIABLES) => `${prefix}${ENV_VARIABLES[key]}`,
    get(key: keyof typeof ENV_VARIABLES): string | undefined {
      const name = `${prefix}${ENV_VARIABLES[key]}`
      // Own values only: a polluted Object.prototype must not supply a secret or a trusted issuer.
      const value = Object.hasOwn(env, name) ? env[name] : undefined
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
    },
  }
}

// The message names the variable and the rule, never the value: these are secrets.
function secretOf(value: string | undefined, name: string): string {
  if (value === undefined) throw new TypeError(`${name} is missing from the environment`)
  if (new TextEncoder().encode(value).byteLength < 32)
    throw new TypeError(`${name} must be at least 32 bytes`)
  return value
}

/**
 * Sessions configured from environment variables (see {@link ENV_VARIABLES}); anything else as in
 * `createSessions` goes in `overrides`. Throws a `TypeError` naming a missing or too-short variable.
 * Never reads `process.env` itself: pass the environment in.
 *
 * @example
 * // Node or Bun
 * const sessions = sessionsFromEnv(process.env, { store: redisStore(redis) })
 * // A Cloudflare Worker: export default { fetch: (request, env) => handle(request, sessionsFromEnv(env)) }
 */
export function sessionsFromEnv(
  env: Environment,
  overrides: Partial<Omit<SessionsOptions, 'secret' | 'signingKey' | 'issuer' | 'audience'>> = {},
  options: FromEnvOptions = {},
): Sessions {
  const vars = reader(env, options)
  const current = secretOf(vars.get('sessionSecret'), vars.name('sessionSecret'))
  const previous = vars.get('sessionSecretPrevious')
  if (previous !== undefined && previous === current)
    throw new TypeError(
      `${vars.name('sessionSecretPrevious')} must differ from ${vars.name('sessionSecret')}`,
    )
  const secret =
    previous === undefined ? current : [current, secretOf(previous, vars.name('sessionSecretPrevious'))]
  const issuer = vars.get('sessionIssuer')
  if (issuer === undefined)
    throw new TypeError(`${vars.name('sessionIssuer')} is missing from the environment`)
  const name = vars.get('sessionCookie')
  const refreshName = vars.get('sessionRefreshCookie')
  const cookie =
    name === undefined && refreshName === undefined
      ? overrides.cookie
      : { ...overrides.cookie, ...(name && { name }), ...(refreshName && { refreshName }) }
  return createSessions({
    ...overrides,
    secret,
    issuer,
    audience: vars.get('sessionAudience') ?? issuer,
    ...(cookie && { cookie }),
  } as SessionsOptions)
}

/**
 * A verifier configured from environment variables (see {@link ENV_VARIABLES}): bearer tokens of
 * `ISSUER` for `AUDIENCE` (keys from `JWKS_URL`, or OIDC discovery without it), and cookie sessions
 * when `SESSION_SECRET` is set. Throws a `TypeError` naming what is missing.
 *
 * @example
 * const auth = authFromEnv(process.env) // PORTCULLIS_ISSUER, PORTCULLIS_AUDIENCE, PORTCULLIS_JWKS_URL
 */
export function authFromEnv(env: Environment, options: FromEnvOptions & { sessions?: Sessions } = {}): Auth {
  const vars = reader(env, options)
  const issuer = vars.get('issuer')
  const sessions =
    options.sessions ??
    (vars.get('sessionSecret') === undefined ? undefined : sessionsFromEnv(env, {}, options))
  if (issuer === undefined) {
    if (sessions === undefined)
      throw new TypeError(
        `${vars.name('issuer')} (with ${vars.name('audience')}) or ${vars.name('sessionSecret')} must be set in the environment`,
      )
    return createAuth({ sessions })
  }
  const audience = vars
    .get('audience')
    ?.split(',')
    .map((value) => value.trim())
    .filter(Boolean)
  if (!audience?.length) throw new TypeError(`${vars.name('audience')} is missing from the environment`)
  const jwks = vars.get('jwksUrl')
  return createAuth({
    issuer,
    audience,
    ...(jwks !== undefined && { jwks }),
    ...(sessions !== undefined && { sessions }),
  } as AuthOptions)
}
