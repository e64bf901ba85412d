// examples/quick-starts/src/core.ts
import { createAuth, requireScopes } from '@portcullis/core'

const auth = createAuth({
  issuer: 'https://id.example.com/', // keys found by OIDC discovery, on the first token; or jwks, keys, secret
  audience: 'https://api.example.com',
})

// A Fetch Request, a Node IncomingMessage, Headers or a plain header record. This one carries an
// unsigned token ("alg": "none", "sub": "alice"), rejected before any key is fetched:
const request = new Request('https://api.example.com/reports', {
  headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.' },
})
const result = await auth.authenticate(request)
if (result.status === 'authenticated') requireScopes(result.identity, ['read:reports'])
else if (result.status === 'rejected') console.log(result.error.code, result.error.status) // algorithm_not_allowed 401
