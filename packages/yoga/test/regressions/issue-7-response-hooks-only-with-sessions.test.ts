import { createAuth } from '@portcullis/core'
import { useAuth } from '@portcullis/yoga'
import { expect, it } from 'vitest'
import { createSessionAuth } from '../support/sessions.js'

// Each Yoga request hook costs several percent of throughput (bench, issue 7): useAuth registers
// onRequest/onResponse only when the auth can set cookies.
it('registers the response hooks only for an auth with sessions', () => {
  const plain = createAuth({ issuer: 'https://id.example.com/', audience: 'api', secret: 's'.repeat(32) })
  expect(plain.setsCookies).toBe(false)
  const withoutSessions = useAuth({ auth: plain })
  expect(withoutSessions.onRequest).toBeUndefined()
  expect(withoutSessions.onResponse).toBeUndefined()

  const { auth } = createSessionAuth()
  expect(auth.setsCookies).toBe(true)
  const withSessions = useAuth({ auth })
  expect(withSessions.onRequest).toBeTypeOf('function')
  expect(withSessions.onResponse).toBeTypeOf('function')
})
