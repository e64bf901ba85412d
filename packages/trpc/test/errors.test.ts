import { AuthError } from '@portcullis/core'
import { authErrorData, authErrorFormatter, toTRPCError } from '@portcullis/trpc'
import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from '@trpc/client'
import { TRPCError } from '@trpc/server'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { makeAuth, serveStandalone } from './support/fixtures.js'
import { type AppRouter, createApp } from './support/router.js'
import { serveWebSocket } from './support/servers.js'

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

/**
 * A rejection with status 400, as core gives for a malformed request (RFC 6750 `invalid_request`).
 * Built by hand, so the test holds whether or not this core produces one yet.
 */
function badRequest(): AuthError {
  const error = new AuthError('token_malformed', 'the Authorization header is not "Bearer <token>"', {
    realm: 'api',
  })
  Object.defineProperty(error, 'status', { value: 400 })
  return error
}

describe('a 400 from core, end to end', () => {
  /** A real verifier whose every answer is the 400 rejection. */
  function malformedAuth() {
    const auth = makeAuth()
    return { ...auth, authenticate: async () => ({ status: 'rejected' as const, error: badRequest() }) }
  }

  it.each(['reject', 'anonymous'] as const)(
    'answers BAD_REQUEST with HTTP 400 and invalid_request over HTTP (invalidToken: %s)',
    async (invalidToken) => {
      const app = createApp(malformedAuth(), { invalidToken })
      const url = await serveStandalone(app.router, app.createContext)
      const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc` })] })
      // A malformed request is never anonymous, not even on a public procedure.
      await expect(client.search.query()).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST', httpStatus: 400, authCode: 'token_malformed' },
      })
      const response = await fetch(`${url}/trpc/search`)
      expect(response.status).toBe(400)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_request"/)
    },
  )

  it('answers BAD_REQUEST for each call on a WebSocket', async () => {
    const app = createApp(malformedAuth())
    const url = await serveWebSocket(app)
    const ws = createWSClient({ url, WebSocket: WebSocket as never })
    onTestFinished(() => ws.close())
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
    await expect(client.me.query()).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', authCode: 'token_malformed' },
    })
  })
})
