import {
  type Attributes,
  type MeterProvider,
  metrics,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import type { AuthEvent } from '../options.js'

/**
 * Options of {@link createOtelEvents}.
 *
 * @example
 * const options: OtelEventsOptions = { verifications: 'spans', include: { issuer: true } }
 */
export interface OtelEventsOptions {
  /** Where spans go. @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider
  /** Where metrics go. @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider
  /**
   * How each verification shows in traces: `events` adds `portcullis.auth.verified` /
   * `portcullis.auth.rejected` to the active span (the request's), `spans` records one
   * `portcullis.auth.verify` span each, `false` leaves traces alone. JWKS fetches are always spans.
   * @default 'events'
   */
  verifications?: 'events' | 'spans' | false
  /**
   * Attributes taken from the token, off by default: an `iss` or `kid` a rejected token carries is
   * attacker-chosen (unbounded cardinality, and not ours to export). Subjects and claims never go.
   * @default {}
   */
  include?: { issuer?: boolean; keyId?: boolean }
}

const NAME = '@portcullis/core'

/** `server.address` (a semantic-convention name) of a JWKS URL; the path and query stay out. */
function hostOf(url: string): Attributes {
  try {
    const parsed = new URL(url)
    const port = parsed.port === '' ? undefined : Number(parsed.port)
    return port === undefined
      ? { 'server.address': parsed.hostname }
      : { 'server.address': parsed.hostname, 'server.port': port }
  } catch {
    return {}
  }
}

/**
 * An `onEvent` hook that turns core's events into OpenTelemetry spans, span events and metrics:
 * `portcullis.auth.verifications` (by `portcullis.auth.result` and `error.type`, the rejection
 * code), `portcullis.auth.verification.duration`, `portcullis.auth.cache.lookups` and
 * `portcullis.auth.cache.hit_ratio`, `portcullis.jwks.fetches` and `portcullis.jwks.fetch.duration`
 * (seconds, by `portcullis.jwks.result` and `server.address`), and a `portcullis.jwks.fetch` span
 * per fetch. No token, subject or claim value goes into an attribute; `include` opts in to the
 * issuer and key id.
 *
 * @example
 * import { createOtelEvents } from '@portcullis/core/otel'
 * const auth = createAuth({ issuer, audience, jwks, onEvent: createOtelEvents() })
 */
export function createOtelEvents(options: OtelEventsOptions = {}): (event: AuthEvent) => void {
  const { verifications = 'events', include = {} } = options
  if (verifications !== 'events' && verifications !== 'spans' && verifications !== false)
    throw new TypeError(`"verifications" must be 'events', 'spans' or false`)
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(NAME)
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(NAME)

  const verificationsCounter = meter.createCounter('portcullis.auth.verifications', {
    description: 'Tokens verified or rejected, by result and rejection code',
    unit: '{verification}',
  })
  const verificationDuration = meter.createHistogram('portcullis.auth.verification.duration', {
    description: 'Time to verify or reject a token, cache hits included',
    unit: 's',
  })
  const cacheLookups = meter.createCounter('portcullis.auth.cache.lookups', {
    description: 'Verified tokens, by whether the verified-token cache answered',
    unit: '{lookup}',
  })
  const fetches = meter.createCounter('portcullis.jwks.fetches', {
    description: 'JWKS fetches, by result',
    unit: '{fetch}',
  })
  const fetchDuration = meter.createHistogram('portcullis.jwks.fetch.duration', {
    description: 'Time a JWKS fetch took, failures included',
    unit: 's',
  })
  const counts = { hits: 0, lookups: 0 }
  meter
    .createObservableGauge('portcullis.auth.cache.hit_ratio', {
      description: 'Share of verified tokens the cache answered, since start',
      unit: '1',
    })
    .addCallback((result) => {
      if (counts.lookups > 0) result.observe(counts.hits / counts.lookups)
    })

  // A span that already happened: core reports an event once it is over, with its duration.
  const pastSpan = (name: string, durationMs: number, attributes: Attributes, kind = SpanKind.INTERNAL) => {
    const end = Date.now()
    return tracer.startSpan(name, { kind, attributes, startTime: end - durationMs })
  }

  // Without opt-ins the attributes take few values (result x code x source x cached): built once each.
  const memo = new Map<string, Attributes>()
  const attributesOf = (event: Extract<AuthEvent, { type: 'verified' | 'rejected' }>): Attributes => {
    const personal =
      (include.issuer && event.issuer !== undefined) || (include.keyId && event.kid !== undefined)
    const key = personal
      ? undefined
      : `${event.source}|${event.type === 'verified' ? event.cached : event.code}`
    const known = key === undefined ? undefined : memo.get(key)
    if (known) return known
    const attributes: Attributes = {
      'portcullis.auth.result': event.type,
      'portcullis.auth.source': event.source,
    }
    if (event.type === 'rejected') attributes['error.type'] = event.code
    else attributes['portcullis.auth.cached'] = event.cached
    if (include.issuer && event.issuer !== undefined) attributes['portcullis.auth.issuer'] = event.issuer
    if (include.keyId && event.kid !== undefined) attributes['portcullis.auth.key_id'] = event.kid
    // Bounded: sources are configured and codes are a closed union, but stay safe regardless.
    if (key !== undefined && memo.size < 256) memo.set(key, Object.freeze(attributes))
    return attributes
  }

  return (event) => {
    if (event.type === 'verified' || event.type === 'rejected') {
      const measured = attributesOf(event)
      verificationsCounter.add(1, measured)
      verificationDuration.record(event.durationMs / 1000, measured)
      if (event.type === 'verified') {
        counts.lookups++
        if (event.cached) counts.hits++
        cacheLookups.add(1, { 'portcullis.cache.result': event.cached ? 'hit' : 'miss' })
      }
      if (verifications === 'events')
        trace.getActiveSpan()?.addEvent(`portcullis.auth.${event.type}`, measured)
      else if (verifications === 'spans') pastSpan('portcullis.auth.verify', event.durationMs, measured).end()
      return
    }
    const ok = event.type === 'jwks_fetched'
    const attributes: Attributes = { ...hostOf(event.url), 'portcullis.jwks.result': ok ? 'ok' : 'error' }
    if (!ok) attributes['error.type'] = 'jwks_fetch_failed'
    fetches.add(1, attributes)
    fetchDuration.record(event.durationMs / 1000, attributes)
    const span = pastSpan('portcullis.jwks.fetch', event.durationMs, attributes, SpanKind.CLIENT)
    if (ok)
      span.setAttributes({ 'portcullis.jwks.keys': event.keys, 'portcullis.jwks.skipped': event.skipped })
    // The reason is core's own sentence about the fetch (status, timeout, bad JSON): no token in it.
    else span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason })
    span.end()
  }
}
