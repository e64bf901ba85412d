import { AuthError } from '../errors.js'

/** The claim rules of one issuer, normalized: times in seconds. */
export interface ClaimRules {
  readonly issuer: string
  /** Accepted audiences; `undefined` when audience checks were turned off with `audience: false`. */
  readonly audience: ReadonlySet<string> | undefined
  readonly tokenType: string | undefined
  readonly clockTolerance: number
  readonly maxTokenAge: number | undefined
  readonly requiredClaims: readonly string[]
  /** Accepted authorized parties (`azp`, else `client_id`); `undefined` when not configured. */
  readonly authorizedParties?: ReadonlySet<string> | undefined
}

const invalid = (message: string) => new AuthError('claim_invalid', message)

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** RFC 8725 3.11 / RFC 9068 2.1: `typ` compared case-insensitively, `application/` optional. */
export function normalizeType(type: string): string {
  const lower = type.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/** Checks `exp`, `nbf` and `iat` (with `maxTokenAge`) against `now`, in seconds. Runs on every cache hit too. */
export function checkTimes(payload: Readonly<Record<string, unknown>>, rules: ClaimRules, now: number): void {
  const { exp, nbf, iat } = payload
  const tolerance = rules.clockTolerance
  if (!isNumericDate(exp)) throw invalid('"exp" claim must be a number')
  if (now - tolerance >= exp) throw new AuthError('token_expired', 'token has expired')
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw invalid('"nbf" claim must be a number')
    if (nbf > now + tolerance) throw new AuthError('token_not_yet_valid', 'token is not valid yet ("nbf")')
  }
  if (iat !== undefined) {
    if (!isNumericDate(iat)) throw invalid('"iat" claim must be a number')
    if (iat > now + tolerance)
      throw new AuthError('token_not_yet_valid', 'token was issued in the future ("iat")')
  }
  if (rules.maxTokenAge !== undefined) {
    if (iat === undefined) throw invalid('"iat" claim is required when maxTokenAge is set')
    if (now - (iat as number) > rules.maxTokenAge + tolerance)
      throw new AuthError('token_expired', 'token is older than maxTokenAge')
  }
}

/**
 * OIDC Core 2 `azp`: the client the token was issued to must be one of `parties`. A token without
 * `azp` names its client by `client_id` (RFC 9068 2.2 access tokens, RFC 7662 answers); when both
 * are present they must agree. A token naming neither is refused: fail closed.
 */
function checkParty(payload: Readonly<Record<string, unknown>>, parties: ReadonlySet<string>): void {
  const { azp, client_id: clientId } = payload
  const party = azp ?? clientId
  if (party === undefined)
    throw new AuthError('azp_invalid', 'token names no authorized party ("azp" or "client_id")')
  if (typeof party !== 'string' || (clientId !== undefined && azp !== undefined && azp !== clientId))
    throw new AuthError('azp_invalid', '"azp" and "client_id" claims must be one string')
  if (!parties.has(party))
    throw new AuthError('azp_invalid', '"azp" claim names a party that is not authorized')
}

/** Checks every claim rule of a verified payload: types, issuer, audience, `typ`, required claims, times. */
export function checkClaims(
  payload: Readonly<Record<string, unknown>>,
  header: Readonly<Record<string, unknown>>,
  rules: ClaimRules,
  now: number,
): void {
  if (rules.tokenType !== undefined) {
    const typ = header.typ
    if (typeof typ !== 'string' || normalizeType(typ) !== normalizeType(rules.tokenType))
      throw new AuthError('token_type_invalid', `token "typ" header must be "${rules.tokenType}"`)
  }
  if (payload.iss !== rules.issuer) throw invalid('"iss" claim does not match the issuer')
  if (typeof payload.sub !== 'string' || payload.sub === '')
    throw invalid('"sub" claim must be a non-empty string')
  const aud = payload.aud
  // The type is checked even with `audience: false`, so identity.audience is always a string array.
  if (aud !== undefined || rules.audience !== undefined) {
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined
    if (!audiences || audiences.length === 0 || audiences.some((value) => typeof value !== 'string'))
      throw invalid('"aud" claim must be a string or an array of strings')
    if (rules.audience !== undefined && !audiences.some((value) => rules.audience!.has(value)))
      throw invalid('"aud" claim does not match the audience')
  }
  for (const claim of rules.requiredClaims)
    if (!Object.hasOwn(payload, claim) || payload[claim] === undefined)
      throw invalid(`"${claim}" claim is required`)
  if (payload.sid !== undefined && typeof payload.sid !== 'string')
    throw invalid('"sid" claim must be a string')
  if (rules.authorizedParties !== undefined) checkParty(payload, rules.authorizedParties)
  checkTimes(payload, rules, now)
}
