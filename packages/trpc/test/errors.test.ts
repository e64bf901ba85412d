import { AuthError } from '@portcullis/core'
import { authErrorData, authErrorFormatter, toTRPCError } from '@portcullis/trpc'
import { TRPCError } from '@trpc/server'
import { describe, expect, it } from 'vitest'

describe('toTRPCError', () => {
  it.each([
    ['token_expired', 'UNAUTHORIZED'],
    ['insufficient_scope', 'FORBIDDEN'],
    ['forbidden', 'FORBIDDEN'],
    ['jwks_unavailable', 'SERVICE_UNAVAILABLE'],
  ] as const)('maps %s to %s and keeps the AuthError as cause', (code, trpcCode) => {
    const cause = new AuthError(code, 'the rule that failed')
    const error = toTRPCError(cause)
    expect(error).toMatchObject({ code: trpcCode, message: 'the rule that failed' })
    expect(error.cause).toBe(cause)
  })
})

describe('authErrorFormatter', () => {
  const shape = {
    code: -32001,
    message: 'm',
    data: { code: 'UNAUTHORIZED', httpStatus: 401, path: 'me' },
  } as const

  it("adds core's stable code as data.authCode", () => {
    const error = toTRPCError(new AuthError('token_expired', 'token has expired'))
    expect(authErrorFormatter({ shape, error })).toEqual({
      ...shape,
      data: { ...shape.data, authCode: 'token_expired' },
    })
  })

  it('sets authCode to null for errors that are not about authentication', () => {
    expect(authErrorData(new TRPCError({ code: 'NOT_FOUND' }))).toEqual({ authCode: null })
  })
})
