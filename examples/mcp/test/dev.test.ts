import { describe, expect, it, onTestFinished } from 'vitest'
import { clients } from '../src/authorization-server.js'
import { startDev } from '../src/dev.js'

describe('the example as `pnpm start` runs it', () => {
  it('serves the MCP endpoint behind its own authorization server, as the printed commands show', async () => {
    const dev = await startDev({ port: 0 })
    onTestFinished(() => dev.close())
    expect((await fetch(dev.resource, { method: 'POST' })).status).toBe(401)
    const { clientId, clientSecret } = clients.reader
    const grant = await fetch(`${dev.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'reports:read',
        resource: dev.resource,
      }),
    })
    const { access_token } = (await grant.json()) as { access_token: string }
    const call = await fetch(dev.resource, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami' } }),
    })
    expect(call.status).toBe(200)
    expect(await call.text()).toContain('\\"subject\\":\\"report-reader\\"')
  })
})
