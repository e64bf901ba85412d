import type { JWK } from 'jose'

/** What the Node test process hands a runtime: keys, tokens it signed, and where its JWKS is served. */
export interface Fixture {
  readonly issuer: string
  readonly audience: string
  /** A JWKS served over loopback by the Node test process. */
  readonly jwksUrl: string
  /** The same public keys, given locally. */
  readonly publicKeys: readonly JWK[]
  readonly secret: string
  /** Valid tokens by algorithm; every one has `sub: 'alice'` and `roles: ['reader']`. */
  readonly valid: Readonly<Record<'ES256' | 'RS256' | 'EdDSA', string>>
  readonly hs256: string
  readonly tampered: string
  readonly expired: string
  readonly none: string
  /** The variables `sessionsFromEnv` reads, for runtimes whose environment the test cannot set. */
  readonly env: Readonly<Record<string, string>>
}

/** One line of the suite's answer: a check that passed, or why it did not. */
export interface CheckResult {
  readonly name: string
  readonly ok: boolean
  readonly detail?: string
}
