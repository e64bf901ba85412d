// The contract between scripts/packed-install.ts and the per-package checks in ./probes/.
import type { Started } from './run.js'

/** Signs an HS256 test token with the project's own `jose`, as the README's identity provider would. */
export type Sign = (
  claims: Record<string, unknown>,
  secret: string,
  options: { issuer: string; audience: string; subject: string },
) => Promise<string>

/**
 * What a probe gets: the running quick start (its `url` when it serves) and a token signer.
 * A probe module (`probes/<package dir>.ts`) exports one function per quick start it checks, named after
 * the file with `-` as `_` (`quick_start_0` for a README's first ```ts block); it throws to fail.
 *
 * @example
 * export async function quick_start_0({ url }: ProbeContext) {
 *   assert.equal((await fetch(`${url}/health`)).status, 200)
 * }
 */
export interface ProbeContext extends Started {
  sign: Sign
}

/** A probe module: optional checks keyed by quick start. */
export type Probes = Record<string, ((context: ProbeContext) => unknown) | undefined>
