import {
  type Algorithm,
  AuthError,
  createAuth,
  discoverJwksUri,
  type Identity,
  isAuthError,
  requireRoles,
  requireScopes,
} from '@portcullis/core'
import { decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWTPayload } from 'jose'

/** The configuration a token is inspected against: what an API would pass to `createAuth`. */
export interface InspectOptions {
  /** The trusted issuer. */
  issuer: string
  /** The accepted audience, or `false` to skip the check. */
  audience: string | readonly string[] | false
  /** A JSON Web Key Set, or its URL. @default found by OIDC discovery from `issuer` */
  jwks?: JSONWebKeySet | string
  /** The allowed algorithms. @default what the keys support */
  algorithms?: readonly Algorithm[]
  /** The required `typ` header. */
  tokenType?: string
  /** How to name where an inline `jwks` came from, in the output. @default 'the given key set' */
  jwksFrom?: string
  /** Scopes a procedure would require. */
  scopes?: readonly string[]
  /** Roles a procedure would require. */
  roles?: readonly string[]
  /** Clock leeway in seconds. @default 5 */
  clockTolerance?: number
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number
}

/** One line of the explanation: passed, failed, or not reached. */
export interface Check {
  readonly name: string
  readonly status: 'pass' | 'fail' | 'skip'
  readonly detail: string
}

/** What `inspectToken` found. */
export interface Inspection {
  readonly header: Record<string, unknown> | undefined
  readonly payload: JWTPayload | undefined
  readonly checks: readonly Check[]
  /** The verdict of the whole configuration, as `createAuth` plus the scope and role checks give it. */
  readonly result:
    | { readonly accepted: true; readonly identity: Identity }
    | { readonly accepted: false; readonly error: AuthError }
}

type Outcome = { ok: true; identity: Identity } | { ok: false; error: AuthError }

const same = (a: Outcome, b: Outcome) => (a.ok ? b.ok : !b.ok && a.error.code === b.error.code)

/**
 * Seconds as a short human duration: `45s`, `3m 12s`, `2h 5m`, `4d 1h`.
 *
 * @example
 * humanDuration(192) // '3m 12s'
 */
export function humanDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ''}`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)}m` : ''}`
  return `${Math.floor(s / 86_400)}d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)}h` : ''}`
}

async function loadJwks(options: InspectOptions): Promise<{ jwks: JSONWebKeySet; from: string }> {
  if (typeof options.jwks === 'object')
    return { jwks: options.jwks, from: options.jwksFrom ?? 'the given key set' }
  const url = options.jwks ?? (await discoverJwksUri(options.issuer))
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' })
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`)
  const jwks = (await response.json()) as JSONWebKeySet
  if (!Array.isArray(jwks?.keys)) throw new Error(`${url} is not a JSON Web Key Set`)
  return { jwks, from: url }
}

/**
 * Explains, check by check, whether an API configured with `options` would accept `token` and why not.
 * Throws a `TypeError` when `options` themselves are wrong, as `createAuth` would at startup.
 * Every verdict comes from `@portcullis/core` itself: each check runs core's `verify` with the other
 * checks relaxed (another clock, no audience, the token's own issuer), so the explanation cannot drift
 * from what the API really does.
 *
 * @example
 * const inspection = await inspectToken(token, { issuer: 'http://127.0.0.1:3000', audience: 'urn:portcullis:demo' })
 * console.log(formatInspection(inspection))
 */
export async function inspectToken(token: string, options: InspectOptions): Promise<Inspection> {
  const now = options.now ?? Date.now
  const checks: Check[] = []
  const check = (name: string, status: Check['status'], detail: string) =>
    checks.push({ name, status, detail })

  let header: Record<string, unknown> | undefined
  let payload: JWTPayload | undefined
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>
    payload = decodeJwt(token)
  } catch {
    // Core gives the precise reason below.
  }

  let jwks: JSONWebKeySet = { keys: [] }
  try {
    const loaded = await loadJwks(options)
    jwks = loaded.jwks
    const kids = jwks.keys.map((key) => key.kid ?? '(no kid)').join(', ')
    // Core refuses a key set it cannot use when the verifier is built; that is the issuer's fault.
    createAuth({ issuer: options.issuer, audience: false, jwks })
    check('keys', 'pass', `${jwks.keys.length} key(s) from ${loaded.from}: ${kids}`)
  } catch (error) {
    check('keys', 'fail', `cannot load the issuer's keys: ${(error as Error).message}`)
    const unavailable = new AuthError('jwks_unavailable', "the issuer's keys could not be loaded")
    return finish(header, payload, checks, { ok: false, error: unavailable })
  }

  const attempt = async (config: {
    issuer: string
    audience: InspectOptions['audience']
    at: number
    tokenType?: string | undefined
  }): Promise<Outcome> => {
    // A TypeError here is a configuration mistake (say, --alg RS256 for EC keys): it propagates.
    const auth = createAuth({
      issuer: config.issuer,
      audience: config.audience,
      jwks,
      algorithms: options.algorithms,
      tokenType: config.tokenType,
      clockTolerance: options.clockTolerance ?? 5,
      cache: false,
      now: () => config.at,
    })
    try {
      return { ok: true, identity: await auth.verify(token) }
    } catch (error) {
      if (isAuthError(error)) return { ok: false, error }
      throw error
    }
  }

  const realNow = now()
  const exp = typeof payload?.exp === 'number' ? payload.exp : undefined
  const iat = typeof payload?.iat === 'number' ? payload.iat : undefined
  const nbf = typeof payload?.nbf === 'number' ? payload.nbf : undefined
  // A moment when the token's own times hold, so the other checks are judged on their own.
  const inWindow =
    (iat !== undefined && (exp === undefined || iat < exp) ? Math.max(iat, nbf ?? iat) : (exp ?? 0) - 1) *
    1000
  const tokenIssuer = typeof payload?.iss === 'string' && payload.iss !== '' ? payload.iss : options.issuer

  const full = async (): Promise<Outcome> =>
    attempt({ issuer: options.issuer, audience: options.audience, at: realNow, tokenType: options.tokenType })

  if (!header || !payload) {
    const outcome = await full()
    const error = outcome.ok ? undefined : outcome.error
    check('format', 'fail', error ? `${error.code}: ${error.message}` : 'not a JWT')
    return finish(undefined, undefined, checks, outcome)
  }

  const alg = String(header.alg)
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  const base = await attempt({ issuer: tokenIssuer, audience: false, at: inWindow })
  const baseCode = base.ok ? undefined : base.error.code
  const skipAfterSignature = baseCode !== undefined && baseCode !== 'claim_invalid'

  if (baseCode === 'token_malformed')
    check('format', 'fail', `${baseCode}: ${base.ok ? '' : base.error.message}`)
  else check('format', 'pass', 'a compact JWS with a JSON header and payload')

  if (baseCode === 'algorithm_not_allowed') {
    const allowed = options.algorithms ? ` (allowed: ${options.algorithms.join(', ')})` : ''
    check('alg', 'fail', `alg ${alg} is not allowed${allowed}`)
  } else if (baseCode !== 'token_malformed') check('alg', 'pass', `alg ${alg} is allowed`)

  if (baseCode === 'key_not_found') {
    const kids = jwks.keys.map((key) => key.kid ?? '(none)').join(', ') || 'none'
    check('kid', 'fail', `kid ${kid ? `"${kid}"` : '(absent)'} matches no ${alg} key (key ids: ${kids})`)
  } else if (baseCode === 'algorithm_not_allowed' || baseCode === 'token_malformed')
    check('kid', 'skip', `kid ${kid ? `"${kid}"` : '(absent)'}: not reached`)
  else check('kid', 'pass', `kid ${kid ? `"${kid}"` : '(absent)'} matches a trusted key`)

  if (baseCode === 'signature_invalid') check('signature', 'fail', 'signature does not verify with that key')
  else if (skipAfterSignature) check('signature', 'skip', 'signature: not reached')
  else check('signature', 'pass', 'signature is valid')

  if (baseCode === 'claim_invalid' && !base.ok) check('claims', 'fail', base.error.message)

  // Core checks `iss` before the signature, so this verdict holds whatever else fails.
  const byIssuer = await attempt({ issuer: options.issuer, audience: false, at: inWindow })
  if (same(byIssuer, base)) check('iss', 'pass', `iss "${tokenIssuer}" is the trusted issuer`)
  else check('iss', 'fail', `iss "${String(payload.iss)}" is not the trusted issuer "${options.issuer}"`)

  const afterSignature = (name: string, what: string) =>
    check(name, 'skip', `${what}: not checked, core checks it only after the signature`)

  const aud = payload.aud === undefined ? '(absent)' : JSON.stringify(payload.aud)
  if (options.audience === false) check('aud', 'skip', `aud ${aud}: audience check turned off`)
  else if (skipAfterSignature) afterSignature('aud', `aud ${aud}`)
  else {
    const byAudience = await attempt({ issuer: tokenIssuer, audience: options.audience, at: inWindow })
    const expected = JSON.stringify(options.audience)
    if (same(byAudience, base)) check('aud', 'pass', `aud ${aud} includes ${expected}`)
    else check('aud', 'fail', `aud ${aud} does not include ${expected}`)
  }

  if (options.tokenType !== undefined) {
    const typ = header.typ === undefined ? '(absent)' : `"${String(header.typ)}"`
    if (skipAfterSignature) afterSignature('typ', `typ ${typ}`)
    else {
      const byType = await attempt({
        issuer: tokenIssuer,
        audience: false,
        at: inWindow,
        tokenType: options.tokenType,
      })
      if (same(byType, base)) check('typ', 'pass', `typ ${typ} is "${options.tokenType}"`)
      else check('typ', 'fail', `typ ${typ} is not "${options.tokenType}"`)
    }
  }

  const seconds = realNow / 1000
  const expLine =
    exp === undefined
      ? 'exp: absent'
      : exp > seconds
        ? `exp: expires in ${humanDuration(exp - seconds)}`
        : `exp: expired ${humanDuration(seconds - exp)} ago`
  if (skipAfterSignature) afterSignature('exp', expLine)
  else {
    const byTime = await attempt({ issuer: tokenIssuer, audience: false, at: realNow })
    if (same(byTime, base)) check('exp', 'pass', expLine)
    else if (!byTime.ok && byTime.error.code === 'token_expired') check('exp', 'fail', expLine)
    else if (!byTime.ok && byTime.error.code === 'token_not_yet_valid') {
      const from = nbf !== undefined && nbf > seconds ? nbf : (iat ?? seconds)
      const name = nbf !== undefined && nbf > seconds ? 'nbf' : 'iat'
      check(name, 'fail', `${name}: not valid for another ${humanDuration(from - seconds)}`)
    } else if (!byTime.ok) check('times', 'fail', `${byTime.error.code}: ${byTime.error.message}`)
  }

  const identity = base.ok ? base.identity : undefined
  for (const [name, required, require] of [
    ['scopes', options.scopes, requireScopes],
    ['roles', options.roles, requireRoles],
  ] as const) {
    if (!required?.length) continue
    if (!identity) {
      check(name, 'skip', `${name}: not checked, the token did not verify`)
      continue
    }
    try {
      require(identity, required)
      check(name, 'pass', `${name}: has ${required.join(' ')}`)
    } catch (error) {
      const held = (name === 'scopes' ? identity.scopes : identity.roles).join(' ') || 'none'
      check(name, 'fail', `${name}: ${(error as AuthError).message} (token has: ${held})`)
    }
  }

  let outcome = await full()
  if (outcome.ok) {
    try {
      if (options.scopes?.length) requireScopes(outcome.identity, options.scopes)
      if (options.roles?.length) requireRoles(outcome.identity, options.roles)
    } catch (error) {
      if (!isAuthError(error)) throw error
      outcome = { ok: false, error }
    }
  }
  return finish(header, payload, checks, outcome)
}

function finish(
  header: Record<string, unknown> | undefined,
  payload: JWTPayload | undefined,
  checks: Check[],
  outcome: Outcome,
): Inspection {
  return {
    header,
    payload,
    checks,
    result: outcome.ok
      ? { accepted: true, identity: outcome.identity }
      : { accepted: false, error: outcome.error },
  }
}

const MARK = { pass: '✓', fail: '✗', skip: '–' } as const

/**
 * Renders an inspection as the lines `pnpm portcullis inspect` prints.
 *
 * @example
 * console.log(formatInspection(await inspectToken(token, options)))
 */
export function formatInspection(inspection: Inspection): string {
  const lines: string[] = []
  if (inspection.header) lines.push(`header   ${JSON.stringify(inspection.header)}`)
  if (inspection.payload) lines.push(`payload  ${JSON.stringify(inspection.payload)}`)
  for (const check of inspection.checks) lines.push(`${MARK[check.status]} ${check.detail}`)
  const { result } = inspection
  lines.push(
    result.accepted
      ? `ACCEPTED: subject "${result.identity.subject}"`
      : `REJECTED: ${result.error.code} (HTTP ${result.error.status}): ${result.error.message}`,
  )
  return lines.join('\n')
}
