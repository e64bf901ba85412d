import { once } from 'node:events'
import { connect } from 'node:net'
import type { Auth, AuthResult } from '@portcullis/core'
import { serve } from './fixtures.js'

/** What a test compares: the result without its identity object, and what a client would see. */
export type Outcome =
  | { status: 'authenticated'; subject: string; source: string; setCookie?: number }
  | { status: 'anonymous' }
  | { status: 'rejected'; code: string; httpStatus: number; challenge: string; setCookie?: number }
  | { status: 'threw'; name: string }

export function outcomeOf(result: AuthResult<unknown>): Outcome {
  const cookies = result.setCookie === undefined ? {} : { setCookie: result.setCookie.length }
  if (result.status === 'authenticated')
    return {
      status: 'authenticated',
      subject: result.identity.subject,
      source: result.identity.source,
      ...cookies,
    }
  if (result.status === 'anonymous') return { status: 'anonymous' }
  const { code, status, wwwAuthenticate } = result.error
  return { status: 'rejected', code, httpStatus: status, challenge: wwwAuthenticate, ...cookies }
}

/** Sends raw header lines (repeats kept) to a real `node:http` server and returns its `authenticate` outcome. */
export async function viaNode(auth: Auth<unknown>, headers: ReadonlyArray<readonly [string, string]>) {
  const server = await serve(async (request, response) => {
    let outcome: Outcome
    try {
      outcome = outcomeOf(await auth.authenticate(request))
    } catch (error) {
      outcome = { status: 'threw', name: (error as Error).name }
    }
    response.end(JSON.stringify(outcome))
  })
  return sendRaw(Number(new URL(server.url).port), headers)
}

/** Sends a GET with these raw header lines (repeats kept) to a loopback port and parses the JSON body. */
export async function sendRaw(port: number, headers: ReadonlyArray<readonly [string, string]>) {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const lines = headers.map(([name, value]) => `${name}: ${value}`)
  // write, not end: a half-closed socket may be dropped before the async handler answers
  socket.write(['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...lines, '', ''].join('\r\n'))
  let raw = ''
  for await (const chunk of socket) raw += chunk
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Outcome
}

/** The same headers on a Fetch `Request` (which joins repeats with ", "). */
export async function viaFetch(auth: Auth<unknown>, headers: ReadonlyArray<readonly [string, string]>) {
  const request = new Request('http://127.0.0.1/', {
    headers: headers.map(([n, v]): [string, string] => [n, v]),
  })
  try {
    return outcomeOf(await auth.authenticate(request))
  } catch (error) {
    return { status: 'threw', name: (error as Error).name } as Outcome
  }
}

/** `authenticate`'s outcome for these headers through a real Node server and through a Fetch `Request`. */
export async function viaBoth(auth: Auth<unknown>, headers: ReadonlyArray<readonly [string, string]>) {
  return { node: await viaNode(auth, headers), fetch: await viaFetch(auth, headers) }
}
