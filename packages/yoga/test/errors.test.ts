import { AuthError } from '@portcullis/core'
import { toGraphQLError } from '@portcullis/yoga'
import { describe, expect, it } from 'vitest'
import { auth } from './fixtures.js'
import { listen, post } from './support/server.js'

/**
 * A rejection with status 400, as core gives for a malformed request (RFC 6750 `invalid_request`).
 * Built by hand, so the test holds whether or not this core produces one yet.
 */
function badRequest(): AuthError {
  const error = new AuthError('token_malformed', 'the Authorization header is not "Bearer <token>"')
  Object.defineProperty(error, 'status', { value: 400 })
  return error
}

describe('toGraphQLError', () => {
  it.each([
    [400, 'BAD_REQUEST'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [503, 'SERVICE_UNAVAILABLE'],
  ] as const)('maps status %i to extensions.code %s, with the status for Yoga', (status, code) => {
    const error = new AuthError('token_expired', 'the rule that failed')
    Object.defineProperty(error, 'status', { value: status })
    expect(toGraphQLError(error, { http: true }).extensions).toMatchObject({ code, http: { status } })
  })
})

describe('a 400 from core, end to end', () => {
  const malformed = {
    ...auth,
    authenticate: async () => ({ status: 'rejected' as const, error: badRequest() }),
  }

  it.each(['reject', 'anonymous'] as const)(
    'answers HTTP 400 with extensions.code BAD_REQUEST (invalidToken: %s)',
    async (invalidToken) => {
      const { http } = await listen({ auth: malformed, invalidToken })
      // A malformed request is never anonymous, not even for a public field.
      const response = await post(http, { query: '{ health }' })
      expect(response.status).toBe(400)
      expect(response.body.data ?? null).toBeNull()
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_REQUEST',
        reason: 'token_malformed',
      })
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_request"/)
    },
  )
})
