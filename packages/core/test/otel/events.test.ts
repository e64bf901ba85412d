import { type Attributes, context, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { type AuthOptions, createAuth } from '@portcullis/core'
import { createOtelEvents, type OtelEventsOptions } from '@portcullis/core/otel'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, issuer, secret, serve, serveJson, sign, signingKey } from '../support/fixtures.js'

class TestReader extends MetricReader {
  protected onShutdown = () => Promise.resolve()
  protected onForceFlush = () => Promise.resolve()
}

/** A tracer and meter provider that keep everything in memory, and the hook under test. */
function telemetry(options: OtelEventsOptions = {}) {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const reader = new TestReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  // Span events land on the active span: the request's, found through async context.
  const manager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(manager)
  onTestFinished(() => {
    context.disable()
    return Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]).then(() => {})
  })
  const onEvent = createOtelEvents({ tracerProvider, meterProvider, ...options })
  const tracer = tracerProvider.getTracer('test')
  /** Runs `work` inside an active `request` span, as an HTTP instrumentation would. */
  const inRequest = <T>(work: () => Promise<T>) =>
    tracer.startActiveSpan('request', (span) => work().finally(() => span.end()))
  const metrics = async () => {
    const { resourceMetrics } = await reader.collect()
    return pointsOf(resourceMetrics)
  }
  return { onEvent, inRequest, spans: () => spans.getFinishedSpans(), metrics }
}

type Point = { name: string; unit: string; attributes: Attributes; value: unknown }
function pointsOf(resource: ResourceMetrics): Point[] {
  return resource.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      (metric.dataPoints as { attributes: Attributes; value: unknown }[]).map((point) => ({
        name: metric.descriptor.name,
        unit: metric.descriptor.unit,
        attributes: point.attributes,
        value: point.value,
      })),
    ),
  )
}

const bearer = (token: string) =>
  new Request('https://api.example.com/', { headers: { authorization: `Bearer ${token}` } })
const count = (points: Point[], name: string) =>
  points.filter((point) => point.name === name).map((point) => [point.attributes, point.value])

/** Every attribute value the SDK received: span attributes, span events, metric points. */
function everyValue(spans: readonly ReadableSpan[], points: Point[]): string[] {
  const all = [
    ...spans.flatMap((span) => [span.attributes, ...span.events.map((event) => event.attributes ?? {})]),
    ...points.map((point) => point.attributes),
  ]
  return all.flatMap((attributes) => Object.values(attributes).map(String))
}

describe('createOtelEvents', () => {
  it('counts verifications by result and code, times them, and reports the cache hit ratio', async () => {
    const { onEvent, inRequest, spans, metrics } = telemetry()
    const auth = createAuth({ issuer, audience, secret, onEvent })
    const token = await sign(secret, { sub: 'alice-secret-subject', tenant: 'acme-claim-value' })
    const expired = await sign(secret, { exp: 1 })
    await inRequest(async () => {
      expect((await auth.authenticate(bearer(token))).status).toBe('authenticated')
      expect((await auth.authenticate(bearer(token))).status).toBe('authenticated')
      expect(await auth.authenticate(bearer(expired))).toMatchObject({ error: { code: 'token_expired' } })
    })
    const points = await metrics()
    expect(count(points, 'portcullis.auth.verifications')).toEqual([
      [
        {
          'portcullis.auth.result': 'verified',
          'portcullis.auth.source': 'bearer',
          'portcullis.auth.cached': false,
        },
        1,
      ],
      [
        {
          'portcullis.auth.result': 'verified',
          'portcullis.auth.source': 'bearer',
          'portcullis.auth.cached': true,
        },
        1,
      ],
      [
        {
          'portcullis.auth.result': 'rejected',
          'portcullis.auth.source': 'bearer',
          'error.type': 'token_expired',
        },
        1,
      ],
    ])
    expect(count(points, 'portcullis.auth.cache.lookups')).toEqual([
      [{ 'portcullis.cache.result': 'miss' }, 1],
      [{ 'portcullis.cache.result': 'hit' }, 1],
    ])
    expect(count(points, 'portcullis.auth.cache.hit_ratio')).toEqual([[{}, 0.5]])
    const durations = points.filter((point) => point.name === 'portcullis.auth.verification.duration')
    expect(durations.map((point) => [point.unit, (point.value as { count: number }).count])).toEqual([
      ['s', 1],
      ['s', 1],
      ['s', 1],
    ])
    const [request] = spans()
    expect(request?.events.map((event) => event.name)).toEqual([
      'portcullis.auth.verified',
      'portcullis.auth.verified',
      'portcullis.auth.rejected',
    ])
    expect(request?.events[2]?.attributes).toMatchObject({ 'error.type': 'token_expired' })
    // No token, subject, claim or issuer in any attribute without an opt-in.
    const values = everyValue(spans(), points)
    for (const secretValue of [token, expired, 'alice-secret-subject', 'acme-claim-value', issuer])
      expect(values.filter((value) => value.includes(secretValue))).toEqual([])
  })

  it('adds the issuer and key id only when asked to', async () => {
    const { onEvent, spans, metrics } = telemetry({
      verifications: 'spans',
      include: { issuer: true, keyId: true },
    })
    const auth = createAuth({ issuer, audience, secret, onEvent })
    await auth.authenticate(bearer(await sign(secret, {}, { kid: 'k1' })))
    const [span] = spans()
    expect(span?.name).toBe('portcullis.auth.verify')
    expect(span?.attributes).toMatchObject({
      'portcullis.auth.issuer': issuer,
      'portcullis.auth.key_id': 'k1',
    })
    expect(count(await metrics(), 'portcullis.auth.verifications')[0]?.[0]).toMatchObject({
      'portcullis.auth.issuer': issuer,
    })
  })

  it('records each JWKS fetch as a client span with its latency, and a failed one as an error', async () => {
    const key = await signingKey()
    const good = await serveJson(() => ({ keys: [key.publicJwk] }))
    const broken = await serve((_request, response) => {
      response.statusCode = 500
      response.end('down')
    })
    const { onEvent, spans, metrics } = telemetry({ verifications: false })
    const options = (jwks: string): AuthOptions => ({ issuer, audience, jwks, onEvent })
    const token = await sign(key)
    expect((await createAuth(options(`${good.url}/jwks`)).authenticate(bearer(token))).status).toBe(
      'authenticated',
    )
    const failed = await createAuth(options(`${broken.url}/jwks?tenant=t1`)).authenticate(bearer(token))
    expect(failed).toMatchObject({ status: 'rejected', error: { status: 503 } })

    const fetched = spans().filter((span) => span.name === 'portcullis.jwks.fetch')
    expect(fetched.map((span) => [span.kind, span.status.code, span.attributes])).toEqual([
      [
        SpanKind.CLIENT,
        SpanStatusCode.UNSET,
        {
          'server.address': '127.0.0.1',
          'server.port': Number(new URL(good.url).port),
          'portcullis.jwks.result': 'ok',
          'portcullis.jwks.keys': 1,
          'portcullis.jwks.skipped': 0,
        },
      ],
      [
        SpanKind.CLIENT,
        SpanStatusCode.ERROR,
        {
          'server.address': '127.0.0.1',
          'server.port': Number(new URL(broken.url).port),
          'portcullis.jwks.result': 'error',
          'error.type': 'jwks_fetch_failed',
        },
      ],
    ])
    const points = await metrics()
    expect(
      count(points, 'portcullis.jwks.fetches').map(([attributes, value]) => [
        (attributes as Attributes)['portcullis.jwks.result'],
        value,
      ]),
    ).toEqual([
      ['ok', 1],
      ['error', 1],
    ])
    const latency = points.filter((point) => point.name === 'portcullis.jwks.fetch.duration')
    expect(latency.map((point) => [point.unit, (point.value as { count: number }).count])).toEqual([
      ['s', 1],
      ['s', 1],
    ])
    // The URL's path and query stay out of attributes; only the host is there.
    expect(everyValue(spans(), points).filter((value) => value.includes('/jwks'))).toEqual([])
  })

  it('refuses an unknown verifications mode', () => {
    expect(() => createOtelEvents({ verifications: 'all' as never })).toThrow(
      new TypeError(`"verifications" must be 'events', 'spans' or false`),
    )
  })
})
