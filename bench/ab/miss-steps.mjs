// One step of the cache-miss path, COUNT times, for callgrind (issue 17): run it with two counts and
// subtract, per call. Usage, from the repository root:
//   STEP=parse COUNT=6000 valgrind --tool=callgrind node bench/ab/miss-steps.mjs packages/core/src
// Steps: none (the loop), parse, claims (parse + checkClaims), entry (parse + entryOf), grants
// (parse + grantsOf), signature, verify (a whole miss), jose (jose.jwtVerify), decodeJwt.
import { unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../../packages/core/node_modules/esbuild/lib/main.js'

const src = resolve(process.argv[2] ?? 'packages/core/src')
const r = await build({
  stdin: {
    contents: `
export { parseCompact } from '${src}/internal/compact.ts'
export { checkClaims } from '${src}/internal/claims.ts'
export { entryOf } from '${src}/internal/entry.ts'
export { grantsOf } from '${src}/identity.ts'
export { normalizeOptions } from '${src}/normalize.ts'
export { verifySignature } from '${src}/keys/signature.ts'
export { createAuth } from '${src}/index.ts'
`,
    resolveDir: src,
    loader: 'ts',
  },
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  external: ['jose'],
  nodePaths: [resolve('packages/core/node_modules')],
})
const f = join(tmpdir(), `portcullis-miss-steps-${process.pid}.mjs`)
const joseUrl = pathToFileURL(resolve('packages/core/node_modules/jose/dist/webapi/index.js')).href
writeFileSync(f, r.outputFiles[0].text.replaceAll('"jose"', `"${joseUrl}"`))
const lib = await import(pathToFileURL(f).href)
unlinkSync(f)
const jose = await import(joseUrl)
const secret = new Uint8Array(32).fill(5)
const now = Math.floor(Date.now() / 1000)
const token = await new jose.SignJWT({ scope: 'read:reports write:reports', roles: ['reader'] })
  .setProtectedHeader({ alg: 'HS256' })
  .setIssuer('https://id.example.com/')
  .setAudience('https://api.example.com')
  .setSubject('alice')
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(secret)
const config = { issuer: 'https://id.example.com/', audience: 'https://api.example.com', secret }
const iss = lib.normalizeOptions(config).issuers.get('https://id.example.com/')
const auth = lib.createAuth({ ...config, cache: false })
const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
const joseOpts = { issuer: config.issuer, audience: config.audience, algorithms: ['HS256'] }
const steps = {
  none: () => undefined,
  parse: () => lib.parseCompact(token, 8192),
  claims: () => {
    const j = lib.parseCompact(token, 8192)
    lib.checkClaims(j.payload, j.header, iss.rules, now)
  },
  entry: () => {
    const j = lib.parseCompact(token, 8192)
    lib.entryOf(j.header, j.payload, iss, 'direct', j.payload, ['roles'], false)
  },
  grants: () => {
    const j = lib.parseCompact(token, 8192)
    lib.grantsOf(j.payload, ['roles'], false)
  },
  signature: () => lib.verifySignature(lib.parseCompact(token, 8192), iss),
  subtle: () =>
    crypto.subtle.verify(
      'HMAC',
      key,
      lib.parseCompact(token, 8192).signature,
      lib.parseCompact(token, 8192).signingInput,
    ),
  verify: () => auth.verify(token),
  jose: () => jose.jwtVerify(token, key, joseOpts),
  decodeJwt: () => jose.decodeJwt(token),
}
const fn = steps[process.env.STEP]
const count = Number(process.env.COUNT)
for (let i = 0; i < count; i++) await fn()
