import { authFromEnv, sessionsFromEnv } from '@portcullis/core'
import { afterEach, describe, expect, it } from 'vitest'

// Review: `sessionsFromEnv` and `authFromEnv` read `env[name]` through the prototype chain, so a
// variable missing from the environment was taken from `Object.prototype` when anything in the
// process had polluted it: a prototype-pollution bug elsewhere became "trust this issuer and its
// JWKS" or "sign sessions with this secret". Only the environment's own values are read now. And the
// same secret given as SESSION_SECRET and SESSION_SECRET_PREVIOUS is refused naming both variables,
// not as an option ("secret") the user never wrote.
const secret = 'a-session-secret-of-at-least-32-bytes'
const polluted = Object.prototype as unknown as Record<string, unknown>

describe('review: the environment is read for its own values only', () => {
  afterEach(() => {
    for (const name of [
      'PORTCULLIS_ISSUER',
      'PORTCULLIS_AUDIENCE',
      'PORTCULLIS_JWKS_URL',
      'PORTCULLIS_SESSION_SECRET',
    ])
      delete polluted[name]
  })

  it('never takes an issuer, audience or key set from a polluted Object.prototype', () => {
    polluted.PORTCULLIS_ISSUER = 'https://attacker.example/'
    polluted.PORTCULLIS_AUDIENCE = 'https://api.example.com'
    polluted.PORTCULLIS_JWKS_URL = 'https://attacker.example/jwks'
    expect(() => authFromEnv({})).toThrow(/PORTCULLIS_ISSUER .* must be set in the environment/)
  })

  it('never takes a session secret from a polluted Object.prototype', () => {
    polluted.PORTCULLIS_SESSION_SECRET = secret
    expect(() => sessionsFromEnv({ PORTCULLIS_SESSION_ISSUER: 'https://api.example.com' })).toThrow(
      'PORTCULLIS_SESSION_SECRET is missing from the environment',
    )
  })

  it('refuses the same secret as current and previous, naming both variables', () => {
    const env = {
      PORTCULLIS_SESSION_SECRET: secret,
      PORTCULLIS_SESSION_SECRET_PREVIOUS: secret,
      PORTCULLIS_SESSION_ISSUER: 'https://api.example.com',
    }
    expect(() => sessionsFromEnv(env)).toThrow(
      new TypeError('PORTCULLIS_SESSION_SECRET_PREVIOUS must differ from PORTCULLIS_SESSION_SECRET'),
    )
  })

  it('still reads process.env and a Worker-style env object', () => {
    expect(() =>
      sessionsFromEnv({
        PORTCULLIS_SESSION_SECRET: secret,
        PORTCULLIS_SESSION_ISSUER: 'https://api.example.com',
      }),
    ).not.toThrow()
    process.env.PORTCULLIS_REVIEW_SESSION_SECRET = secret
    process.env.PORTCULLIS_REVIEW_SESSION_ISSUER = 'https://api.example.com'
    try {
      expect(() => sessionsFromEnv(process.env, {}, { prefix: 'PORTCULLIS_REVIEW_' })).not.toThrow()
    } finally {
      delete process.env.PORTCULLIS_REVIEW_SESSION_SECRET
      delete process.env.PORTCULLIS_REVIEW_SESSION_ISSUER
    }
  })
})
