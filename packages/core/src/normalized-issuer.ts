import type { Identity } from './identity.js'
import type { ClaimRules } from './internal/claims.js'
import type { Algorithm } from './keys/key.js'
import type { KeySet } from './keys/key-set.js'

/** One trusted issuer after normalization. */
export interface NormalizedIssuer {
  readonly keySet: KeySet
  readonly algorithms: readonly Algorithm[]
  readonly rules: ClaimRules
  /** Runs after every successful verification, cache hits included (sessions check revocation here). */
  readonly afterVerify?: (identity: Identity<unknown>) => Promise<void> | void
}
