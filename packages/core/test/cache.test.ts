import { type AuthEvent, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, clock, issuer, secret, sign } from './support/fixtures.js'

function recorder() {
  const events: AuthEvent[] = []
  return { events, onEvent: (event: AuthEvent) => events.push(event) }
}

describe('verified-token cache', () => {
  it('is on by default and returns the same identity on a hit', async () => {
    const { events, onEvent } = recorder()
    const auth = createAuth({ issuer, audience, secret, onEvent })
    const token = await sign(secret)
    const first = await auth.verify(token)
    const second = await auth.verify(token)
    expect(second).toBe(first)
    expect(events.map((event) => event.type === 'verified' && event.cached)).toEqual([false, true])
  })

  it('never outlives exp: time is re-checked on every hit', async () => {
    const time = clock()
    const { events, onEvent } = recorder()
    const auth = createAuth({ issuer, audience, secret, now: time.now, clockTolerance: 0, onEvent })
    const token = await sign(secret, { exp: Math.floor(time.now() / 1000) + 60 }, {}, time.now())
    await auth.verify(token)
    time.advance(59_000)
    await auth.verify(token)
    time.advance(1_000)
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_expired', status: 401 })
    expect(events.at(-1)).toMatchObject({ type: 'rejected', code: 'token_expired', issuer })
  })

  it('re-checks maxTokenAge on a hit', async () => {
    const time = clock()
    const auth = createAuth({
      issuer,
      audience,
      secret,
      now: time.now,
      maxTokenAge: '30s',
      clockTolerance: 0,
    })
    const token = await sign(secret, {}, {}, time.now())
    await auth.verify(token)
    time.advance(31_000)
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_expired' })
  })

  it('is bounded: past max, the oldest token is verified again', async () => {
    const { events, onEvent } = recorder()
    const auth = createAuth({ issuer, audience, secret, cache: { max: 2 }, onEvent })
    const tokens = await Promise.all(['1', '2', '3'].map((jti) => sign(secret, { jti })))
    for (const token of tokens) await auth.verify(token)
    await auth.verify(tokens[2]!)
    await auth.verify(tokens[0]!)
    const cached = events.map((event) => event.type === 'verified' && event.cached)
    expect(cached).toEqual([false, false, false, true, false])
  })

  it('can be turned off', async () => {
    const { events, onEvent } = recorder()
    const auth = createAuth({ issuer, audience, secret, cache: false, onEvent })
    const token = await sign(secret)
    await auth.verify(token)
    await auth.verify(token)
    expect(events.every((event) => event.type === 'verified' && !event.cached)).toBe(true)
    expect(() => createAuth({ issuer, audience, secret, cache: { max: -1 } })).toThrow(/"cache.max"/)
  })

  it('reports the source of each use, not of the first', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret)
    expect((await auth.verify(token)).source).toBe('direct')
    const result = await auth.authenticate({ authorization: `Bearer ${token}` })
    expect(result).toMatchObject({ status: 'authenticated', identity: { source: 'bearer' } })
  })
})

describe('onEvent', () => {
  it('reports a verification with issuer, kid, source, cached and duration', async () => {
    const { events, onEvent } = recorder()
    const auth = createAuth({ issuer, audience, secret, onEvent })
    await auth.authenticate({ authorization: `Bearer ${await sign(secret, {}, { kid: 'v1' })}` })
    expect(events).toEqual([
      {
        type: 'verified',
        issuer,
        kid: 'v1',
        source: 'bearer',
        cached: false,
        durationMs: expect.any(Number),
      },
    ])
  })

  it('reports a rejection with its code; issuer and kid only once configuration vouches for them', async () => {
    const { events, onEvent } = recorder()
    const auth = createAuth({ issuer, audience, secret, onEvent })
    await auth.verify(await sign(secret, { aud: 'other' }, { kid: 'v1' })).catch(() => {})
    await auth
      .verify(await sign(secret, { iss: 'https://evil.example/' }, { kid: 'attacker' }))
      .catch(() => {})
    await auth.verify(`${(await sign(secret, {}, { kid: 'forged' })).slice(0, -3)}AAA`).catch(() => {})
    expect(events).toEqual([
      {
        type: 'rejected',
        code: 'claim_invalid',
        issuer,
        kid: 'v1',
        source: 'direct',
        durationMs: expect.any(Number),
      },
      {
        type: 'rejected',
        code: 'claim_invalid',
        issuer: undefined,
        kid: undefined,
        source: 'direct',
        durationMs: expect.any(Number),
      },
      {
        type: 'rejected',
        code: 'signature_invalid',
        issuer,
        kid: undefined,
        source: 'direct',
        durationMs: expect.any(Number),
      },
    ])
  })

  it('survives a throwing hook', async () => {
    const auth = createAuth({
      issuer,
      audience,
      secret,
      onEvent: () => {
        throw new Error('metrics are down')
      },
    })
    expect((await auth.verify(await sign(secret))).subject).toBe('alice')
  })
})
