/**
 * Google Wycheproof JOSE vectors (C2SP/wycheproof testvectors_v1, Apache-2.0), vendored in
 * ./wycheproof/ (SOURCE.md there says from which commit). Every vector runs; none is skipped.
 *
 * How a vector maps onto core: its payloads are arbitrary bytes ("foo"), not JWT claim sets, so each
 * vector runs through the lowest layers that apply, the same ones `createAuth` uses:
 * 1. the group's key (`public`, else `private`) is configured as a user would: `oct` keys go in `secret`,
 *    every other key in a local `jwks`; a set mixing both goes in `jwks`, which refuses symmetric keys.
 *    A `TypeError` from `normalizeOptions` means every vector of the group is rejected ("invalid").
 * 2. the token goes through `parseJws` (strict compact parsing) and `verifySignature` (allow-list,
 *    key selection by `kid` and `alg`, signature check over the parsed parts). An `AuthError` means "invalid".
 * Known defects in the data (SOURCE.md): tcId 367 and 370 are byte-identical to the valid tcId 357,
 * so core accepts them; tcId 372 and 373 put `?` inside base64url, so core rejects them.
 * Where core is deliberately stricter than a vector (RFC 7520 examples): a JWK's `alg` binds the key to
 * that one algorithm (RFC 8725 3.1), so a key labelled PS256 never verifies PS384 (tcId 346, 350), and
 * "ES521" (a typo in RFC 7520) is no algorithm, so that key verifies nothing (tcId 347, 351).
 */
import { readFileSync } from 'node:fs'
import { AuthError } from '@portcullis/core'
import type { JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseJws } from '../../src/internal/compact.js'
import { verifySignature } from '../../src/keys/signature.js'
import { normalizeOptions } from '../../src/normalize.js'

interface Vector {
  tcId: number
  comment: string
  jws: string
  result: 'valid' | 'invalid'
  flags?: string[]
}
interface Group {
  comment: string
  public?: JWK | { keys: JWK[] }
  private?: JWK | { keys: JWK[] }
  tests: Vector[]
}

// Vendored beside this file, so a fresh clone has them: see ./wycheproof/SOURCE.md.
const DIR = new URL('./wycheproof/', import.meta.url)
const load = (file: string): Group[] => JSON.parse(readFileSync(new URL(file, DIR), 'utf8')).testGroups

const DATA_DEFECTS: Record<number, 'valid' | 'invalid'> = {
  367: 'valid',
  370: 'valid',
  372: 'invalid',
  373: 'invalid',
}
const STRICTER: Record<number, 'invalid'> = { 346: 'invalid', 350: 'invalid', 347: 'invalid', 351: 'invalid' }

function configure(group: Group) {
  const material = group.public ?? group.private!
  const keys = 'keys' in material ? material.keys : [material as JWK]
  const symmetric = keys.every((key) => key.kty === 'oct')
  const config = normalizeOptions({
    issuer: 'https://wycheproof.test',
    audience: false,
    ...(symmetric ? { secret: keys } : { jwks: { keys } }),
  })
  return config.issuers.get('https://wycheproof.test')!
}

async function verdict(group: Group, vector: Vector): Promise<'valid' | 'invalid'> {
  let issuer: ReturnType<typeof configure>
  try {
    issuer = configure(group)
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return 'invalid'
  }
  try {
    await verifySignature(parseJws(vector.jws, 8192), issuer)
    return 'valid'
  } catch (error) {
    // Every rejection is an AuthError with a stable code; anything else would be a crash.
    expect(error).toBeInstanceOf(AuthError)
    return 'invalid'
  }
}

for (const file of ['json_web_signature_test.json', 'json_web_key_test.json']) {
  describe(`Wycheproof ${file}`, () => {
    const groups = load(file)
    it('holds the vectors SOURCE.md describes', () => {
      const count = groups.reduce((sum, group) => sum + group.tests.length, 0)
      expect(count).toBe(file.startsWith('json_web_signature') ? 401 : 26)
    })
    for (const group of groups) {
      it.each(group.tests)(`${group.comment} tcId $tcId $comment: $result`, async (vector) => {
        const expected = DATA_DEFECTS[vector.tcId] ?? STRICTER[vector.tcId] ?? vector.result
        expect(await verdict(group, vector)).toBe(expected)
      })
    }
  })
}
