import type { JWTPayload } from 'jose'
import type { IssuedSession } from './options.js'
import { refreshTokenOf, type SessionRecord } from './record.js'
import type { SessionSettings } from './settings.js'

/** What a session hands out at `at`: a new access token, the refresh token for `secret`, and their cookies. */
export type TokensFor = (
  sessionId: string,
  record: SessionRecord,
  secret: string,
  at: number,
) => Promise<IssuedSession>

/** Mints a session's access token and cookies from its record. */
export function createTokensFor(settings: SessionSettings): TokensFor {
  const { issuer, audience, keys, accessTtl, cookies } = settings
  return async function tokensFor(sessionId, record, secret, at) {
    const expiresAt = Math.min(at + accessTtl * 1000, record.exp)
    const payload: JWTPayload = {
      ...record.claims,
      iss: issuer,
      sub: record.sub,
      aud: audience,
      sid: sessionId,
      iat: Math.floor(at / 1000),
      exp: Math.floor(expiresAt / 1000),
      ...(record.scope === undefined ? {} : { scope: record.scope }),
      ...(record.roles === undefined ? {} : { roles: [...record.roles] }),
    }
    const accessToken = await keys.issue(payload)
    const refreshToken = refreshTokenOf(sessionId, secret)
    return {
      sessionId,
      accessToken,
      refreshToken,
      setCookie: [
        cookies.set(cookies.name, accessToken, (expiresAt - at) / 1000),
        cookies.set(cookies.refreshName, refreshToken, (record.exp - at) / 1000),
      ],
      expiresAt: new Date(Math.floor(expiresAt / 1000) * 1000),
      refreshExpiresAt: new Date(record.exp),
    }
  }
}
