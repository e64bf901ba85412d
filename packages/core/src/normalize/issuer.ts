import { toSeconds } from '../internal/duration.js'
import { ALL_ALGORITHMS } from '../keys/key.js'
import type { NormalizedIssuer } from '../normalized-issuer.js'
import type { AuthOptions, IssuerOptions } from '../options.js'
import type { SessionLink } from '../sessions/link.js'
import type { StandardSchemaV1 } from '../standard-schema.js'
import { checkString, toArray } from './checks.js'
import { keySetOf } from './key-material.js'

// The issuers one `IssuerOptions` entry configures (one per name in `issuer`), their rules checked.
function normalizeIssuer(
  input: IssuerOptions,
  at: string,
  common: AuthOptions<undefined>,
): NormalizedIssuer[] {
  if (typeof input !== 'object' || input === null) throw new TypeError(`${at} must be an object`)
  const names = toArray(input.issuer).map((issuer, index) =>
    checkString(issuer, Array.isArray(input.issuer) ? `${at}.issuer[${index}]` : `${at}.issuer`),
  )
  if (names.length === 0) throw new TypeError(`"${at}.issuer" must not be empty`)
  let audience: ReadonlySet<string> | undefined
  if (input.audience === false) audience = undefined
  else if (input.audience === undefined)
    throw new TypeError(`"${at}.audience" is required (use audience: false to accept any audience)`)
  else {
    const audiences = toArray(input.audience).map((value, index) =>
      checkString(value, `${at}.audience[${index}]`),
    )
    if (audiences.length === 0) throw new TypeError(`"${at}.audience" must not be empty`)
    audience = new Set(audiences)
  }
  if (input.algorithms !== undefined) {
    if (!Array.isArray(input.algorithms) || input.algorithms.length === 0)
      throw new TypeError(`"${at}.algorithms" must be a non-empty array`)
    for (const alg of input.algorithms)
      if (!ALL_ALGORITHMS.includes(alg))
        throw new TypeError(`"${at}.algorithms" contains unsupported algorithm "${String(alg)}"`)
  }
  if (input.tokenType !== undefined) checkString(input.tokenType, `${at}.tokenType`)
  const requiredClaims = input.requiredClaims ?? []
  if (!Array.isArray(requiredClaims) || requiredClaims.some((claim) => typeof claim !== 'string'))
    throw new TypeError(`"${at}.requiredClaims" must be an array of claim names`)
  const clockTolerance = toSeconds(input.clockTolerance ?? 5, `${at}.clockTolerance`)
  const maxTokenAge =
    input.maxTokenAge === undefined ? undefined : toSeconds(input.maxTokenAge, `${at}.maxTokenAge`)
  let authorizedParties: ReadonlySet<string> | undefined
  if (input.authorizedParties !== undefined) {
    if (!Array.isArray(input.authorizedParties) || input.authorizedParties.length === 0)
      throw new TypeError(`"${at}.authorizedParties" must be a non-empty array of client ids`)
    authorizedParties = new Set(
      input.authorizedParties.map((party, index) => checkString(party, `${at}.authorizedParties[${index}]`)),
    )
  }

  // Names that share key material share one key set (one JWKS cache); discovery is per issuer.
  const material = input.jwks ?? input.keys ?? input.secret
  const shared = material === undefined ? undefined : keySetOf(input, at, names[0]!, common)
  return names.map((issuer) => {
    const { keySet, algorithms: supported } = shared ?? keySetOf(input, at, issuer, common)
    const algorithms = input.algorithms ?? supported
    const unusable = algorithms.filter((alg) => !supported.includes(alg))
    if (unusable.length > 0)
      throw new TypeError(
        `"${at}.algorithms" lists ${unusable.join(', ')}, which the configured keys cannot verify`,
      )
    return {
      keySet,
      algorithms,
      rules: {
        issuer,
        audience,
        tokenType: input.tokenType,
        clockTolerance,
        maxTokenAge,
        requiredClaims,
        authorizedParties,
      },
    }
  })
}

/** Every issuer the options configure, keyed by name, the sessions' first; a name given twice is a `TypeError`. */
export function issuersOf(
  options: AuthOptions<StandardSchemaV1 | undefined>,
  session: SessionLink | undefined,
): Map<string, NormalizedIssuer> {
  const common = options as AuthOptions<undefined>
  const list: Array<[IssuerOptions, string]> =
    'issuers' in options && options.issuers !== undefined
      ? (() => {
          if (!Array.isArray(options.issuers) || options.issuers.length === 0)
            throw new TypeError('"issuers" must be a non-empty array')
          if ('issuer' in options && options.issuer !== undefined)
            throw new TypeError('give either "issuer" or "issuers", not both')
          return options.issuers.map((issuer, index): [IssuerOptions, string] => [
            issuer,
            `issuers[${index}]`,
          ])
        })()
      : session && (options as { issuer?: unknown }).issuer === undefined
        ? [] // sessions alone
        : [[options as IssuerOptions, 'options']]

  const issuers = new Map<string, NormalizedIssuer>()
  if (session) issuers.set(session.issuer.rules.issuer, session.issuer)
  for (const [input, at] of list) {
    for (const issuer of normalizeIssuer(input, at, common)) {
      if (issuers.has(issuer.rules.issuer))
        throw new TypeError(
          `issuer "${issuer.rules.issuer}" is configured twice${session?.issuer.rules.issuer === issuer.rules.issuer ? ' (once by "sessions")' : ''}`,
        )
      issuers.set(issuer.rules.issuer, issuer)
    }
  }
  return issuers
}
