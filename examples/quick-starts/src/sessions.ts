// examples/quick-starts/src/sessions.ts
import { createAuth, createSessions, memoryStore } from '@portcullis/core'

const sessions = createSessions({
  secret: 'replace-me-with-at-least-32-random-bytes!', // or signingKey (ES256, EdDSA)
  issuer: 'https://api.example.com',
  audience: 'https://api.example.com',
  store: memoryStore(), // or redisStore(ioredis) from '@portcullis/core/redis'
})
const auth = createAuth({ sessions }) // beside an IdP: createAuth({ sessions, issuer, audience })

// Your login handler, once the user is known, sends these Set-Cookie headers:
const { setCookie } = await sessions.issue({ subject: 'alice', scopes: ['read:reports'], roles: ['admin'] })
// The browser sends the cookies back; the same authenticate refreshes them when the access token expires:
const cookie = setCookie.map((line) => line.split(';')[0]).join('; ')
const result = await auth.authenticate({ cookie })
if (result.status === 'authenticated') console.log(result.identity.subject, result.identity.roles) // alice [ 'admin' ]
