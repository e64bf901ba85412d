import type { IncomingMessage } from 'node:http'

/**
 * The Node `IncomingMessage` behind a Hono request served by `@hono/node-server`, when reading its raw
 * header lines is the same as reading the request's `headers`; undefined otherwise.
 *
 * `@hono/node-server` hands Hono a lightweight `Request` over the `IncomingMessage` it also passes as
 * `c.env.incoming`, and builds that request's Fetch `Headers` from `incoming.rawHeaders` only when
 * something first reads `headers` (a copy of every header through undici's validation: ~2 µs, more
 * than the rest of our cached path). Until then, those raw lines are exactly what `headers` would
 * hold, so core can read them. The lines are used only when all of this holds, else `headers` is read:
 * - the request holds `c.env.incoming` itself (own symbol-keyed field), so it is that message's
 *   request: not a `new Request(...)` made by a layer that rewrote the headers, and not a request
 *   passed to `app.fetch` with another request's `env`;
 * - it holds nothing else but strings (its URL): no `Headers` built yet (a layer may have changed
 *   them), no full `Request` or `AbortController` made from it;
 * - it has no own string-keyed property, so no layer set its own `headers` on it.
 *
 * @example
 * const incoming = nodeIncoming(c.req.raw, c.env)
 * auth.authenticateSync(incoming ?? c.req.raw)
 */
export function nodeIncoming(request: Request, env: unknown): IncomingMessage | undefined {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming
  if (typeof incoming !== 'object' || incoming === null) return undefined
  if (!Array.isArray((incoming as { rawHeaders?: unknown }).rawHeaders)) return undefined
  let linked = false
  for (const key of Object.getOwnPropertySymbols(request)) {
    const value: unknown = (request as unknown as Record<symbol, unknown>)[key]
    if (value === incoming) linked = true
    else if (typeof value !== 'string') return undefined
  }
  if (!linked || Object.getOwnPropertyNames(request).length > 0) return undefined
  return incoming as IncomingMessage
}
