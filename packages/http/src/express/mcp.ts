import type { IncomingMessage, ServerResponse } from 'node:http'
import { AuthError, bearer, headerReader, type Identity } from '@portcullis/core'
import { guard } from '../internal/access.js'
import { errorAnswer } from '../internal/answer.js'
import { verdictOf } from '../internal/verdict.js'
import type { RequestIdentity } from '../register.js'
import { accessError, normalizeRule, type RequireAuthOptions, type Rule } from '../rule.js'
import type { NodeMiddleware } from './middleware.js'

/**
 * The verified token in the shape of the MCP SDK's `AuthInfo` (`@modelcontextprotocol/sdk`), which
 * its streamable HTTP transport reads from `req.auth` and hands to every tool handler as
 * `extra.authInfo`. Structural, so this package needs no dependency on the SDK.
 *
 * @example
 * server.registerTool('whoami', {}, (extra) => ({ content: [{ type: 'text', text: extra.authInfo!.clientId }] }))
 */
export interface McpAuthInfo {
  /** The access token, as the SDK requires. MCP forbids passing it on to another API (token passthrough). */
  token: string
  /** The token's `client_id` claim (RFC 9068), else its `azp`, else `''`. */
  clientId: string
  /** The token's scopes. */
  scopes: string[]
  /** When the token expires, in seconds since the epoch. */
  expiresAt?: number
  /** This server's resource identifier (the `resource` option), when the token's audience names it. */
  resource?: URL
  /** Who the token is about: `subject`, `issuer`, `audience`, `roles`. The typed identity is {@link mcpIdentity}. */
  extra: { subject: string; issuer: string; audience: string[]; roles: string[] }
}

/**
 * Options of {@link requireMcpAuth}: what every MCP request needs, and what each tool needs beyond it.
 *
 * @example
 * requireMcpAuth({ scopes: ['mcp:tools'], toolScopes: { delete_report: ['reports:write'] } })
 */
export interface McpAuthOptions extends RequireAuthOptions {
  /**
   * Scopes a `tools/call` of each tool needs, by tool name: without them the request is answered
   * 403 `insufficient_scope` with the scopes in the challenge, so an MCP client can ask for them.
   * @default {}
   */
  toolScopes?: Readonly<Record<string, readonly string[]>>
}

const readBearer = bearer()

/**
 * The verified identity behind an MCP handler's `extra.authInfo`, typed by the claims declared
 * through `Register`; `null` when the auth info was not made by {@link requireMcpAuth}.
 *
 * @example
 * server.registerTool('whoami', {}, (extra) => {
 *   const identity = mcpIdentity(extra.authInfo)
 *   return { content: [{ type: 'text', text: identity?.subject ?? 'nobody' }] }
 * })
 */
export function mcpIdentity(authInfo: object | undefined): RequestIdentity {
  return authInfo === undefined ? null : (VerifiedAuthInfo.identityOf(authInfo) as RequestIdentity)
}

function toolRules(toolScopes: McpAuthOptions['toolScopes'], base: Rule): Map<string, Rule> {
  if (toolScopes === undefined) return new Map()
  if (typeof toolScopes !== 'object' || toolScopes === null || Array.isArray(toolScopes))
    throw new TypeError('"toolScopes" must be an object of tool name -> scopes')
  // A Map: a tool named "constructor" or "__proto__" finds nothing of Object's.
  const rules = new Map<string, Rule>()
  for (const [tool, scopes] of Object.entries(toolScopes)) {
    if (
      !Array.isArray(scopes) ||
      scopes.length === 0 ||
      !scopes.every((s) => typeof s === 'string' && s !== '')
    )
      throw new TypeError(`"toolScopes.${tool}" must be a non-empty array of non-empty strings`)
    // The challenge names every scope the call needs, the endpoint's too, so a client that asks for
    // exactly those (the SDK client does in its authorization-code flow) gets a token that passes both.
    const endpoint = base.mode === 'all' ? base.scopes : []
    rules.set(tool, normalizeRule({ scopes: [...new Set([...endpoint, ...scopes])] }))
  }
  return rules
}

const UNPARSED = JSON.stringify({
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Unsupported Media Type: Content-Type must be application/json' },
  id: null,
})

/** Each tools/call of a JSON-RPC message or batch: its tool name. */
function* toolCalls(body: unknown): Generator<unknown> {
  for (const message of Array.isArray(body) ? body : [body])
    if (
      typeof message === 'object' &&
      message !== null &&
      (message as { method?: unknown }).method === 'tools/call'
    )
      yield (message as { params?: { name?: unknown } }).params?.name
}

/** The Authorization header's bearer token, undefined without one, or why the header is malformed. */
function bearerToken(req: IncomingMessage): string | AuthError | undefined {
  try {
    return readBearer.read(headerReader(req))
  } catch (error) {
    if (error instanceof AuthError) return error
    throw error
  }
}

function reject(res: ServerResponse, error: AuthError): void {
  const answer = errorAnswer(error)
  res.writeHead(answer.status, answer.headers).end(answer.body)
}

/**
 * The auth info of a request that passed. The identity rides in a private field: a handler gets the
 * identity the verifier concluded, never one another layer wrote into an object of the same shape
 * (and, unlike a WeakMap entry, it costs the garbage collector nothing).
 */
class VerifiedAuthInfo implements McpAuthInfo {
  readonly #identity: Identity<unknown>
  token: string
  clientId: string
  scopes: string[]
  expiresAt?: number
  resource?: URL
  extra: McpAuthInfo['extra']

  constructor(token: string, identity: Identity<unknown>, resource: string | undefined) {
    this.#identity = identity
    const payload = identity.payload as { client_id?: unknown; azp?: unknown }
    this.token = token
    this.clientId =
      typeof payload.client_id === 'string'
        ? payload.client_id
        : typeof payload.azp === 'string'
          ? payload.azp
          : ''
    this.scopes = [...identity.scopes]
    this.extra = {
      subject: identity.subject,
      issuer: identity.issuer,
      audience: [...identity.audience],
      roles: [...identity.roles],
    }
    if (identity.expiresAt !== undefined) this.expiresAt = Math.floor(identity.expiresAt.getTime() / 1000)
    // A URL of its own per request: a handler that changes it changes nobody else's.
    if (resource !== undefined && identity.audience.includes(resource)) this.resource = new URL(resource)
  }

  static identityOf(value: object): Identity<unknown> | null {
    return #identity in value ? (value as VerifiedAuthInfo).#identity : null
  }
}

/**
 * Guards an MCP endpoint (the SDK's streamable HTTP transport) behind {@link authMiddleware}: a
 * request without a bearer token is a 401 whose challenge names the RFC 9728 metadata, a `tools/call`
 * of a tool in `toolScopes` without its scopes is a 403 `insufficient_scope` naming them, and a
 * request that passes gets `req.auth`, the SDK's `AuthInfo`, which its transport hands to every
 * handler. It reads the verdict `authMiddleware` recorded (verified once, every header read, 400 for
 * a malformed one, 503 for an outage), so it must run after it and after `express.json()`.
 *
 * @example
 * app.post('/mcp', authMiddleware(auth), requireMcpAuth({ toolScopes: { delete_report: ['reports:write'] } }), handle)
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
 */
export function requireMcpAuth(options?: McpAuthOptions): NodeMiddleware {
  const rule = normalizeRule(options && { scopes: options.scopes, roles: options.roles, mode: options.mode })
  const tools = toolRules(options?.toolScopes, rule)
  return (req, res, next) => {
    let error: AuthError | undefined
    let info: McpAuthInfo | undefined
    try {
      error = guard(req, rule, ['requireMcpAuth()', 'authMiddleware(auth)'])
      const verdict = verdictOf(req)!
      const identity = verdict.result.status === 'authenticated' ? verdict.result.identity : undefined
      // MCP sends its token in the Authorization header only: an identity from a cookie (which any web
      // page can make a browser send) is no MCP credential. With bearer() among the sources, the
      // header's token is the one verified, so reading it again cannot fail.
      const token = identity?.source === 'bearer' ? bearerToken(req) : undefined
      if (error === undefined && typeof token !== 'string')
        error = verdict.auth.challenge(
          token ?? new AuthError('token_missing', 'MCP requests need a bearer token'),
        )
      if (error === undefined && tools.size > 0 && req.method === 'POST') {
        const body = (req as { body?: unknown }).body
        // An unparsed body would be parsed again by the transport, past the tool checks: fail closed.
        if (body === undefined) {
          res.writeHead(415, { 'content-type': 'application/json' }).end(UNPARSED)
          return
        }
        for (const tool of toolCalls(body)) {
          const needs = typeof tool === 'string' ? tools.get(tool) : undefined
          error = needs && accessError(identity!, needs, verdict.auth)
          if (error) break
        }
      }
      if (error === undefined) {
        info = new VerifiedAuthInfo(
          token as string,
          identity!,
          verdict.auth.protectedResourceMetadata()?.resource,
        )
      }
    } catch (fault) {
      next(fault)
      return
    }
    if (error) return reject(res, error)
    ;(req as IncomingMessage & { auth?: McpAuthInfo }).auth = info
    next()
  }
}
