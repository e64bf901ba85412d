/**
 * DPoP through the Express middleware: a `use_dpop_nonce` rejection answers with `DPoP-Nonce`
 * beside `WWW-Authenticate`, and the call then passes with the nonce in the proof.
 */
import { createServer } from 'node:http'
import { createAuth } from '@portcullis/core'
import { authMiddleware, requireAuth } from '@portcullis/http/express'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { dpopClient } from '../../../core/test/support/dpop.js'
import { audience, issuer, listen, secret, sign } from '../support/fixtures.js'

describe('DPoP through authMiddleware (Express)', () => {
  it('sends DPoP-Nonce with the use_dpop_nonce challenge, then lets the proof with the nonce through', async () => {
    const { token, proof: proofFor } = await dpopClient(sign, 'GET')
    const auth = createAuth({
      issuer,
      audience,
      secret,
      dpop: { algorithms: ['ES256'], nonce: { secret: 'a-dpop-nonce-secret-of-32-bytes-or-more' } },
    })
    const app = express()
    app.use(authMiddleware(auth))
    app.get('/api/reports', requireAuth(), (_req, res) => res.json('reports'))
    const base = await listen(createServer(app))
    const htu = `${base}/api/reports`
    const proof = (nonce?: string) => proofFor(htu, nonce)
    const first = await fetch(htu, { headers: { authorization: `DPoP ${token}`, dpop: await proof() } })
    expect(first.status).toBe(401)
    expect(first.headers.get('www-authenticate')).toContain('DPoP algs="ES256", error="use_dpop_nonce"')
    const nonce = first.headers.get('dpop-nonce')
    expect(nonce).toMatch(/^[\w.-]{20,}$/)
    const second = await fetch(htu, {
      headers: { authorization: `DPoP ${token}`, dpop: await proof(nonce!) },
    })
    expect(second.status).toBe(200)
    expect(await second.json()).toBe('reports')
  })
})
