import { AuthError } from '../errors.js'

/**
 * RFC 7800 / RFC 9449 7.1: a token whose `cnf` claim binds it to a key is only as good as the check
 * of that binding. Without the `dpop` option nothing checks `cnf.jkt`, so such a token is refused
 * instead of passing as a bearer token (a stolen DPoP-bound token would otherwise work anywhere);
 * with it, only `jkt` is a binding core can check: a certificate binding (`x5t#S256`, RFC 8705) or a
 * raw `jwk`/`kid`/`jwe` one is refused either way. Runs once per verified token (cache misses only).
 *
 * @example
 * checkConfirmation({ cnf: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' } }, false) // throws dpop_binding_invalid
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function checkConfirmation(payload: Readonly<Record<string, unknown>>, dpop: boolean): void {
  const cnf = payload.cnf
  if (cnf === undefined) return
  // With dpop, the verifier reports a malformed cnf itself (dpop_binding_invalid), on every request.
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    if (dpop) return
    throw new AuthError('claim_invalid', '"cnf" claim must be an object')
  }
  for (const method of Object.keys(cnf)) {
    if (method !== 'jkt')
      // The member name is the token's text: not echoed.
      throw new AuthError(
        'dpop_binding_invalid',
        'token is bound to a key by a "cnf" method this API cannot check (only "jkt", with the "dpop" option)',
      )
    if (!dpop)
      throw new AuthError(
        'dpop_binding_invalid',
        'DPoP-bound token ("cnf.jkt") is not accepted: this API has no "dpop" option to check its proof',
      )
  }
}
