import { describe, expect, it, onTestFinished } from 'vitest'
import { checkServed, SERVED_BODY, SERVED_VARIANTS, type ServedProcess } from '../../src/frameworks/served.js'
import {
  type ServedFramework,
  type ServedVariant,
  servedPath,
  serveFramework,
} from '../../src/frameworks/served-apps.js'
import { keyMaterial, signToken } from '../../src/tokens.js'

const material = await keyMaterial('HS256')
const authorization = `Bearer ${await signToken(material)}`

/** One app on loopback, as the bench's check sees a served process (Next needs a build: not here). */
async function served(framework: ServedFramework, variant: ServedVariant, as: ServedVariant = variant) {
  const server = await serveFramework(framework, variant, { secret: material.secret! })
  onTestFinished(() => server.close())
  const process: ServedProcess = {
    scenario: { name: `${framework} ${variant}` },
    framework,
    variant: as,
    url: `http://127.0.0.1:${server.port}${servedPath(framework, variant)}`,
    cpu: async () => 0,
    settle: async () => {},
    stop: () => server.close(),
  }
  return process
}

describe('the served apps of section 6', () => {
  for (const framework of ['Hono', 'Fastify', 'Express'] as const)
    it(`${framework}: bare, floor and protected answer the token with the same body; protected refuses none`, async () => {
      for (const variant of ['bare', 'floor', 'protected'] as const) {
        const server = await served(framework, variant)
        const response = await fetch(server.url, { headers: { authorization } })
        expect(response.status).toBe(200)
        expect(await response.text()).toBe(SERVED_BODY)
        await expect(checkServed(server, authorization)).resolves.toBeUndefined()
      }
      const guarded = await served(framework, 'protected')
      const refused = await fetch(guarded.url)
      expect(refused.status).toBe(401)
      expect(await refused.json()).toMatchObject({ error: 'token_missing' })
    })

  it('are timed as bare, its A/A twin, the floor and protected, each a process of its own', () => {
    expect(SERVED_VARIANTS.map((item) => [item.suffix, item.variant])).toEqual([
      ['bare', 'bare'],
      ['bare (A/A)', 'bare'],
      ['floor', 'floor'],
      ['protected', 'protected'],
    ])
  })
})

describe('checkServed', () => {
  it('refuses a "protected" server that answers a request without a token', async () => {
    // The floor passes every request: timed as the protected app, it would read as free auth.
    const open = await served('Hono', 'floor', 'protected')
    await expect(checkServed(open, authorization)).rejects.toThrow(/without a token, expected 401/)
  })

  it('refuses a server whose answer to the token is not the expected body, byte for byte', async () => {
    const server = await served('Express', 'protected')
    await expect(checkServed(server, 'Bearer not-a-token')).rejects.toThrow(/expected 200/)
  })
})
