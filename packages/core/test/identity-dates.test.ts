import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret, sign } from './support/fixtures.js'

describe("a verified identity's dates", () => {
  it('cannot be moved by one request, so a cached token tells every later request the same expiry', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret)
    const first = await auth.verify(token)
    const expiresAt = first.expiresAt!.getTime()
    const issuedAt = first.issuedAt!.getTime()
    for (const move of [
      (date: Date) => date.setTime(0),
      (date: Date) => date.setFullYear(3000),
      (date: Date) => date.setUTCHours(0),
      (date: Date) => date.setMilliseconds(1),
      (date: Date) => date.setMinutes(0),
    ]) {
      expect(() => move(first.expiresAt!)).toThrow(TypeError)
      expect(() => move(first.issuedAt!)).toThrow(TypeError)
    }
    // Nor can a setter be put back on the instance: it is frozen with the identity.
    expect(() => Object.defineProperty(first.expiresAt, 'setTime', { value: () => 0 })).toThrow(TypeError)
    const again = await auth.verify(token)
    expect(again).toBe(first)
    expect([again.expiresAt!.getTime(), again.issuedAt!.getTime()]).toEqual([expiresAt, issuedAt])
  })

  it('still read as dates everywhere', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const expiresAt = (await auth.verify(await sign(secret, { exp: 2_000_000_000 }))).expiresAt!
    expect(expiresAt).toBeInstanceOf(Date)
    expect(Object.prototype.toString.call(expiresAt)).toBe('[object Date]')
    expect(expiresAt.toISOString()).toBe('2033-05-18T03:33:20.000Z')
    expect(JSON.stringify({ expiresAt })).toBe('{"expiresAt":"2033-05-18T03:33:20.000Z"}')
    // A copy is an ordinary Date, which its owner may move.
    const copy = new Date(expiresAt)
    copy.setFullYear(2040)
    expect(copy.getUTCFullYear()).toBe(2040)
    expect(expiresAt.getUTCFullYear()).toBe(2033)
  })
})
