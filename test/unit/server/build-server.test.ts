import { gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { ExpositionBody } from '../../../src/metrics/body.js'
import { buildServer } from '../../../src/server/build-server.js'
import { captureLogger, exposition, fakeView, testSelfMetrics } from './fake-view.js'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

function setup(telemetryPath = '/metrics') {
  const view = fakeView()
  const selfMetrics = testSelfMetrics()
  const { logger, lines } = captureLogger()
  app = buildServer({ view, logger, telemetryPath, webConfig: null, selfMetrics })
  return { app, view, selfMetrics, lines }
}

async function scrapes(selfMetrics: ReturnType<typeof testSelfMetrics>, format: string): Promise<number> {
  const metric = await selfMetrics.scrapes.get()
  return metric.values.find((value) => value.labels.format === format)?.value ?? 0
}

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

describe('telemetry path', () => {
  it.each([
    [undefined, 'text'],
    ['*/*', 'text'],
    ['text/plain', 'text'],
    ['text/plain;version=0.0.4', 'text'],
    [PROMETHEUS_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['text/plain;q=1, application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['application/json', 'text']
  ])('Accept %j gets the %s format', async (accept, format) => {
    const { app, selfMetrics } = setup()
    const response = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: accept === undefined ? {} : { accept }
    })
    expect(response.statusCode).toBe(200)
    if (format === 'openmetrics') {
      expect(response.headers['content-type']).toBe(
        'application/openmetrics-text; version=1.0.0; charset=utf-8'
      )
      expect(response.body).toBe('# TYPE up counter\nup_total 1\n# EOF\n')
    } else {
      expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
      expect(response.body).toBe('up_total 1\n')
    }
    expect(response.headers['vary']).toBe('Accept, Accept-Encoding')
    expect(await scrapes(selfMetrics, format)).toBe(1)
  })

  it('gzips when Accept-Encoding allows it, compressing each rendering once per format', async () => {
    const { app, view } = setup()
    const plain = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip;q=0, deflate' } })
    expect(plain.headers['content-encoding']).toBeUndefined()
    const first = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(first.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(first.rawPayload).toString('utf8')).toBe('up_total 1\n')
    const again = await app.inject({ url: '/metrics', headers: { 'accept-encoding': '*' } })
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true)
    view.current = exposition(2)
    const next = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } })
    expect(gunzipSync(next.rawPayload).toString('utf8')).toBe('up_total 2\n')
  })

  it('writes a body of many parts over real HTTP with its exact Content-Length, identity and gzip', async () => {
    const { app, view } = setup()
    const lines = Array.from({ length: 5000 }, (_, k) => `m{k="${k}",v="ü"} ${k}\n`)
    const parts = Array.from({ length: 50 }, (_, k) =>
      Buffer.from(lines.slice(k * 100, k * 100 + 100).join(''))
    )
    const text = new ExpositionBody(parts)
    view.current = { ...exposition(2), text }
    const address = await app.listen({ host: '127.0.0.1', port: 0 })
    const plain = await fetch(`${address}/metrics`, { headers: { 'accept-encoding': 'identity' } })
    expect(plain.headers.get('content-length')).toBe(String(text.byteLength))
    expect(await plain.text()).toBe(lines.join(''))
    const head = await fetch(`${address}/metrics`, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'identity' }
    })
    expect(head.headers.get('content-length')).toBe(String(text.byteLength))
    expect(await head.text()).toBe('')
    const gzipped = await fetch(`${address}/metrics`, { headers: { 'accept-encoding': 'gzip' } })
    expect(gzipped.headers.get('content-encoding')).toBe('gzip')
    expect(await gzipped.text()).toBe(lines.join(''))
  })

  it('answers HEAD with the headers and no body, without counting a scrape', async () => {
    const { app, selfMetrics } = setup()
    const response = await app.inject({ method: 'HEAD', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(response.body).toBe('')
    expect(await scrapes(selfMetrics, 'text')).toBe(0)
  })

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const)(
    'answers %s with 405 and Allow',
    async (method) => {
      const { app } = setup()
      const response = await app.inject({ method, url: '/metrics' })
      expect(response.statusCode).toBe(405)
      expect(response.headers['allow']).toBe('GET, HEAD')
      expect(response.json()).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' })
    }
  )

  it('serves the view as it is: one exposition() call per scrape, nothing else', async () => {
    const { app, view } = setup()
    const report = view.report
    let statusCalls = 0
    view.status = () => {
      statusCalls += 1
      return report
    }
    await app.inject({ url: '/metrics' })
    await app.inject({ url: '/metrics' })
    expect(view.expositionCalls).toBe(2)
    expect(statusCalls).toBe(0)
  })

  it('serves a custom telemetry path, and rejects one that collides with another route', async () => {
    const { app } = setup('/custom/path')
    expect((await app.inject({ url: '/custom/path' })).body).toBe('up_total 1\n')
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404)
    expect(() => setup('/healthz')).toThrow(/telemetry path/)
    expect(() => setup('metrics')).toThrow(/must start with/)
  })
})

describe('health and readiness', () => {
  it('/healthz is 200 ok while alive and 503 otherwise', async () => {
    const { app, view } = setup()
    const ok = await app.inject({ url: '/healthz' })
    expect([ok.statusCode, ok.body]).toEqual([200, 'ok\n'])
    view.isAlive = false
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(503)
  })

  it('/readyz is 503 with Retry-After and a reason until ready, then 200', async () => {
    const { app, view } = setup()
    view.isReady = false
    view.report = { ...view.report, ready: false, problem: 'first inventory poll running' }
    const waiting = await app.inject({ url: '/readyz' })
    expect(waiting.statusCode).toBe(503)
    // the soonest next poll in the fake status is 20 s away
    expect(waiting.headers['retry-after']).toBe('20')
    expect(waiting.body).toBe('not ready: first inventory poll running\n')
    view.isReady = true
    const ready = await app.inject({ url: '/readyz' })
    expect([ready.statusCode, ready.body]).toEqual([200, 'ready\n'])
  })

  it('/readyz falls back to a 5 s Retry-After when no poll is scheduled', async () => {
    const { app, view } = setup()
    view.isReady = false
    view.report = { ...view.report, collectors: [], problem: null }
    const waiting = await app.inject({ url: '/readyz' })
    expect(waiting.headers['retry-after']).toBe('5')
    expect(waiting.body).toBe('not ready: waiting for the first complete collection\n')
  })
})

describe('status, errors and logging', () => {
  it('/status is the view status as JSON', async () => {
    const { app, view } = setup()
    const response = await app.inject({ url: '/status' })
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(view.report)))
  })

  it('answers unknown paths with 404 JSON', async () => {
    const { app } = setup()
    const response = await app.inject({ url: '/nope?x=1' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no route GET /nope' })
  })

  it('answers a malformed URL with a 400 and no stack trace', async () => {
    const { app } = setup()
    const response = await app.inject({ url: '/metrics%' })
    expect(response.statusCode).toBe(400)
    expect(response.body).not.toMatch(/at .*\.js/)
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' })
  })

  it('turns a failing view into a 500 without details, and logs it', async () => {
    const { app, view, lines } = setup()
    view.status = () => {
      throw new Error('boom /secret/path')
    }
    const response = await app.inject({ url: '/status' })
    expect(response.statusCode).toBe(500)
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal server error'
    })
    expect(lines().some((line) => line.includes('request failed') && line.includes('boom'))).toBe(true)
  })

  it('sends X-Content-Type-Options on every response', async () => {
    const { app } = setup()
    for (const url of ['/metrics', '/healthz', '/status', '/', '/missing']) {
      expect((await app.inject({ url })).headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('logs one line per request, scrapes at debug, and never the Authorization header', async () => {
    const { app, lines } = setup()
    const secret = Buffer.from('prometheus:hunter2-very-secret').toString('base64')
    await app.inject({ url: '/metrics?x=1', headers: { authorization: `Basic ${secret}` } })
    await app.inject({ url: '/status', headers: { authorization: `Bearer ${secret}` } })
    const logged = lines()
    expect(logged.join('\n')).not.toContain(secret)
    expect(logged.join('\n').toLowerCase()).not.toContain('authorization')
    const records = logged.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records.map((record) => [record['level'], record['path'], record['statusCode']])).toEqual([
      [20, '/metrics', 200],
      [30, '/status', 200]
    ])
  })
})

describe('hostile request lines', () => {
  it('gives the 400 for a malformed URL the security headers', async () => {
    const { app } = setup()
    const response = await app.inject({ url: '/metrics%' })
    expect(response.statusCode).toBe(400)
    expect(response.headers['x-content-type-options']).toBe('nosniff')
  })

  it('quotes at most 200 characters of a long path in the 404 body and the log line', async () => {
    const { app, lines } = setup()
    const long = `/${'a'.repeat(15_000)}`
    const response = await app.inject({ url: long })
    expect(response.statusCode).toBe(404)
    expect(response.body.length).toBeLessThan(400)
    expect(response.json()).toMatchObject({ message: `no route GET /${'a'.repeat(199)}…` })
    const logged = lines().find((line) => line.includes('"statusCode":404')) ?? ''
    expect(logged.length).toBeGreaterThan(0)
    expect(logged.length).toBeLessThan(600)
  })
})
