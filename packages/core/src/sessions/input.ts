import type { SessionInput } from './options.js'
import type { SessionRecord } from './record.js'

// Claims sessions set themselves, and claims that grant scopes or roles.
const RESERVED_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'sid',
  'scope',
  'scp',
  'roles',
  // createAuth's default role claims beside `roles`.
  'role',
  'realm_access',
  // A key binding (RFC 7800): createAuth refuses a bound token it cannot check, so a session holding
  // one would never verify.
  'cnf',
])
// RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/

export function checkString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${option}" must be a non-empty string`)
  return value
}

/** Checks what `issue()` was given; a mistake is a `TypeError` naming the field. */
export function checkInput(input: SessionInput): Pick<SessionRecord, 'sub' | 'scope' | 'roles' | 'claims'> {
  if (typeof input !== 'object' || input === null) throw new TypeError('issue() needs { subject }')
  const sub = checkString(input.subject, 'subject')
  let scope: string | undefined
  if (input.scopes !== undefined) {
    if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string' || !SCOPE.test(s)))
      throw new TypeError('"scopes" must be an array of scope tokens (no spaces or quotes)')
    scope = input.scopes.length ? input.scopes.join(' ') : undefined
  }
  if (
    input.roles !== undefined &&
    (!Array.isArray(input.roles) || input.roles.some((r) => typeof r !== 'string' || r === ''))
  )
    throw new TypeError('"roles" must be an array of non-empty strings')
  let claims: Record<string, unknown> | undefined
  if (input.claims !== undefined) {
    if (typeof input.claims !== 'object' || input.claims === null || Array.isArray(input.claims))
      throw new TypeError('"claims" must be an object')
    for (const name of Object.keys(input.claims))
      if (RESERVED_CLAIMS.has(name))
        throw new TypeError(`"claims" must not set "${name}": sessions set it themselves`)
    claims = JSON.parse(JSON.stringify(input.claims)) as Record<string, unknown>
  }
  return { sub, scope, roles: input.roles?.length ? [...input.roles] : undefined, claims }
}
