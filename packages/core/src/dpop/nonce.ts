import type { CryptoKey } from 'jose'
import { encode } from '../internal/base64url.js'

/**
 * Issues and checks stateless DPoP server nonces (RFC 9449 8): the HMAC-SHA-256 of the current
 * period's number under a secret. A nonce of this period or the previous one is accepted.
 *
 * @example
 * const nonces = createNonces({ secret, rotation: 300 }, Date.now)
 * const nonce = await nonces.current() // send as DPoP-Nonce
 * await nonces.accepts(nonce) // true
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export function createNonces(
  options: { readonly secret: string; readonly rotation: number },
  now: () => number,
): { current(): Promise<string>; accepts(nonce: unknown): Promise<boolean> } {
  let key: Promise<CryptoKey> | undefined
  // Nonces of the last periods computed, by period number: at most a few HMACs per rotation.
  const computed = new Map<number, Promise<string>>()

  function nonceOf(period: number): Promise<string> {
    let nonce = computed.get(period)
    if (nonce === undefined) {
      key ??= crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(options.secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      nonce = key.then(async (hmac) => {
        const mac = await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`dpop-nonce:${period}`))
        return `${period.toString(36)}.${encode(new Uint8Array(mac))}`
      })
      computed.set(period, nonce)
      for (const old of computed.keys()) if (old < period - 2) computed.delete(old)
    }
    return nonce
  }

  const periodNow = () => Math.floor(now() / 1000 / options.rotation)

  return {
    current: () => nonceOf(periodNow()),
    async accepts(nonce) {
      if (typeof nonce !== 'string' || nonce.length > 128) return false
      const period = periodNow()
      // Only the two periods a nonce may be from are computed: a client cannot make us compute more.
      return nonce === (await nonceOf(period)) || nonce === (await nonceOf(period - 1))
    },
  }
}
