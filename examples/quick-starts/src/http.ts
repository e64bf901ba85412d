// examples/quick-starts/src/http.ts
import { createAuth } from '@portcullis/core'
import { authMiddleware, requireAuth } from '@portcullis/http/express' // or /fastify, /hono, /next
import express from 'express'

const auth = createAuth({
  issuer: 'https://id.example.com/', // keys found by OIDC discovery; or jwks, keys, secret
  audience: 'https://api.example.com',
})

const app = express()
app.use(authMiddleware(auth)) // req.identity: Identity | null
app.get('/me', (req, res) => res.json({ subject: req.identity?.subject ?? null }))
app.get('/reports', requireAuth({ scopes: ['read:reports'] }), (_req, res) => res.json([{ id: 'q1' }]))
app.listen(3000)
// curl -i localhost:3000/me  ->  200 {"subject":null};  /reports  ->  401, WWW-Authenticate: Bearer
