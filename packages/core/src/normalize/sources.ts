import type { NormalizedDpop } from '../dpop/options.js'
import { dpopScheme } from '../dpop/scheme.js'
import type { AuthOptions } from '../options.js'
import type { SessionLink } from '../sessions/link.js'
import { bearer } from '../sources/bearer.js'
import { cookie } from '../sources/cookie.js'
import type { TokenReader } from '../sources/source.js'

/** The `sources` option, checked: an array of token sources, by default the `__session` cookie and bearer. */
export function givenSources(input: AuthOptions<undefined>['sources']): readonly TokenReader[] {
  const given = input ?? [cookie('__session'), bearer()]
  if (!Array.isArray(given) || given.some((source) => typeof source?.read !== 'function'))
    throw new TypeError('"sources" must be an array of token sources such as cookie(name) and bearer()')
  return given
}

/** The readers a request is read with, in order: the session cookie first, then the given sources. */
export function readersOf(
  given: readonly TokenReader[],
  dpop: NormalizedDpop | undefined,
  session: SessionLink | undefined,
): readonly TokenReader[] {
  // With DPoP, the Authorization reader also reads `DPoP <token>` (RFC 9449 7.1).
  const read = dpop
    ? given.map((source) =>
        source.kind === 'bearer' && source.name === 'authorization' ? dpopScheme(source) : source,
      )
    : given
  // The session cookie is read first; a plain cookie source of the same name would read it twice.
  return session
    ? [
        session.reader,
        ...read.filter((source) => !(source.kind === 'cookie' && source.name === session.reader.name)),
      ]
    : read
}
