import { describe, expect, it } from 'vitest'
import type { TextSink } from '../../../src/cloud/api.js'
import { USER_AGENT } from '../../../src/cloud/client.js'
import { createDeadlineSignal } from '../../../src/cloud/retry.js'
import { systemClock } from '../../../src/clock.js'
import { failure, metricValue, ORIGIN, useMockCloud } from './mock-cloud.js'

const ORG = 'a0df2925-cc73-4365-8a10-7ef847632b81'
const CLUSTERS = `/api/v2/organizations/${ORG}/clusters/`
const METRICS = `/api/v2/organizations/${ORG}/metrics/prometheus/`
const CLUSTERS_TEMPLATE = '/api/v2/organizations/{organization_id}/clusters/'
const METRICS_TEMPLATE = '/api/v2/organizations/{organization_id}/metrics/prometheus/'

const cloud = useMockCloud({
  credentials: [{ name: 'main', key: { value: 'some-key' }, secret: { value: 'some-secret' } }],
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  random: () => 0.5
})
const { client, pool } = cloud
const signal = (ms = 5000) => createDeadlineSignal(ms, systemClock)
const calls = () => cloud.agent.getCallHistory()?.calls() ?? []

const cluster = (overrides: Record<string, unknown> = {}) => ({
  id: 'c1',
  name: 'one',
  project_id: 'p1',
  crate_version: '5.9.3',
  num_nodes: 3,
  suspended: false,
  hardware_specs: { cpus_per_node: 2, memory_per_node_bytes: 7516192768 },
  health: { status: 'GREEN', running_operation: '', last_seen: '2024-10-01T12:34:56.789012' },
  ...overrides
})

describe('requests', () => {
  it('sends Basic auth bytes as croud does, Accept and User-Agent, on the exact trailing-slash path', async () => {
    pool()
      .intercept({
        path: '/api/v2/organizations/',
        headers: { authorization: 'Basic c29tZS1rZXk6c29tZS1zZWNyZXQ=' }
      })
      .reply(200, [{ id: ORG, name: 'my-org', plan_type: 3, role_fqn: 'org_admin' }])
    const orgs = await client().organizations(signal())
    expect(orgs).toEqual([{ id: ORG, name: 'my-org', plan_type: 3 }])
    const headers = calls()[0]?.headers as Record<string, string>
    expect(headers['accept']).toBe('application/json')
    expect(headers['user-agent']).toBe(USER_AGENT)
    expect(USER_AGENT).toMatch(/^cratedb-cloud-exporter\/\d+\.\d+\.\d+/)
  })

  it('labels metrics with the route template, never the id', async () => {
    pool().intercept({ path: CLUSTERS }).reply(200, [cluster()])
    await client().organizationClusters(ORG, signal())
    expect(await metricValue(cloud.metrics.apiRequests, { endpoint: CLUSTERS_TEMPLATE })).toBe(1)
    const text = await cloud.metrics.registry.metrics()
    expect(text).not.toContain(ORG)
    expect(text).toContain('cratedb_cloud_api_request_duration_seconds_count{endpoint="' + CLUSTERS_TEMPLATE)
  })

  it('percent-encodes ids so that a path can never point at another origin', async () => {
    pool().intercept({ path: '/api/v2/organizations/%2F%2Fevil.example%2Fx/quotas/' }).reply(200, [])
    expect(await client().quotas('//evil.example/x', signal())).toEqual([])
    expect(calls()[0]?.origin).toBe(ORIGIN)
  })

  it('keeps a path prefix of the base URL', async () => {
    pool().intercept({ path: '/prefix/api/v2/users/me/' }).reply(200, { email: 'ops@example.com' })
    const me = await client({ baseUrl: `${ORIGIN}/prefix/` }).currentUser(signal())
    expect(me).toEqual({ email: 'ops@example.com', username: null, organization_roles: [] })
  })
})

describe('failure reasons', () => {
  const cases: [number, string, Record<string, string>?][] = [
    [301, 'auth', { location: '/?rd=%2Fapi' }],
    [302, 'auth', { location: 'https://evil.example/login' }],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [400, 'client'],
    [422, 'client'],
    [429, 'throttled'],
    [500, 'server'],
    [503, 'server']
  ]
  it.each(cases)('HTTP %i is %s, named by template and status', async (status, reason, headers) => {
    const scope = pool()
      .intercept({ path: CLUSTERS })
      .reply(status, { message: 'Nope.', success: false }, { headers: headers ?? {} })
    if (reason === 'throttled' || reason === 'server') scope.times(3)
    const error = await failure(client().organizationClusters(ORG, signal()))
    expect(error.reason).toBe(reason)
    expect(error.code).toBe(`CCE_API_${reason.toUpperCase()}`)
    expect(error.endpoint).toBe(CLUSTERS_TEMPLATE)
    expect(error.message).toContain(CLUSTERS_TEMPLATE)
    if (reason !== 'auth') expect(error.status).toBe(status)
    expect(calls().every((call) => call.origin === ORIGIN)).toBe(true)
    expect(
      await metricValue(cloud.metrics.apiErrors, { endpoint: CLUSTERS_TEMPLATE, reason })
    ).toBeGreaterThan(0)
  })

  it('never follows a redirect and never sends credentials elsewhere', async () => {
    pool()
      .intercept({ path: CLUSTERS })
      .reply(302, '', { headers: { location: 'https://evil.example/' } })
    const error = await failure(client().organizationClusters(ORG, signal()))
    expect(error.reason).toBe('auth')
    expect(error.message).toContain('HTTP 302')
    expect(calls().map((call) => call.origin)).toEqual([ORIGIN])
  })

  it('a connection error is network, retried, then surfaced', async () => {
    pool().intercept({ path: CLUSTERS }).replyWithError(new Error('ECONNRESET')).times(3)
    const error = await failure(client().organizationClusters(ORG, signal()))
    expect(error.reason).toBe('network')
    expect(await metricValue(cloud.metrics.apiRequests, { endpoint: CLUSTERS_TEMPLATE })).toBe(3)
  })

  it('a response slower than api.timeout is timeout', async () => {
    pool().intercept({ path: CLUSTERS }).reply(200, []).delay(300)
    const error = await failure(
      client({ requestTimeoutMs: 50, retry: { maxAttempts: 1 } }).organizationClusters(ORG, signal())
    )
    expect(error.reason).toBe('timeout')
    expect(error.message).toContain('50 ms')
  })

  it('malformed JSON is decode', async () => {
    pool().intercept({ path: CLUSTERS }).reply(200, '[{"id": ')
    const error = await failure(client().organizationClusters(ORG, signal()))
    expect(error.reason).toBe('decode')
    expect(error.message).toMatch(/malformed JSON/)
  })

  it('a JSON body over max_response_bytes is decode, with a clear message', async () => {
    const big = Array.from({ length: 400 }, (_v, i) => cluster({ id: `c${i}` }))
    pool().intercept({ path: CLUSTERS }).reply(200, big)
    const error = await failure(client({ maxResponseBytes: 10_000 }).organizationClusters(ORG, signal()))
    expect(error.reason).toBe('decode')
    expect(error.message).toContain('larger than the limit of 10000 bytes')
  })

  it('a body shorter than its Content-Length is network, and the retry reads a new body', async () => {
    pool()
      .intercept({ path: CLUSTERS })
      .reply(200, '[]', { headers: { 'content-length': '500' } })
    pool().intercept({ path: CLUSTERS }).reply(200, [cluster()])
    const clusters = await client().organizationClusters(ORG, signal())
    expect(clusters.map((c) => c.id)).toEqual(['c1'])
    expect(
      await metricValue(cloud.metrics.apiErrors, { endpoint: CLUSTERS_TEMPLATE, reason: 'network' })
    ).toBe(1)
    expect(await metricValue(cloud.metrics.apiRetries, { endpoint: CLUSTERS_TEMPLATE })).toBe(1)
  })

  it('a schema error names the endpoint and the JSON path of the field', async () => {
    const bad = [cluster(), cluster(), cluster(), cluster({ hardware_specs: { cpus_per_node: '2' } })]
    pool().intercept({ path: CLUSTERS }).reply(200, bad)
    const error = await failure(client().organizationClusters(ORG, signal()))
    expect(error.reason).toBe('decode')
    expect(error.message).toBe(
      `${CLUSTERS_TEMPLATE}: [3].hardware_specs.cpus_per_node: expected number or null, got "2"`
    )
    expect(calls()).toHaveLength(1)
  })

  it('a 204 on a JSON endpoint is decode', async () => {
    pool().intercept({ path: CLUSTERS }).reply(204, '')
    expect((await failure(client().organizationClusters(ORG, signal()))).reason).toBe('decode')
  })

  it('counts attempts and errors in usage()', async () => {
    pool().intercept({ path: CLUSTERS }).reply(404, { message: 'Resource not found.' })
    const api = client()
    await failure(api.organizationClusters(ORG, signal()))
    expect(api.usage()).toEqual({ requests: 1, errors: { not_found: 1 } })
  })
})

describe('org metrics streaming', () => {
  function textSink(created: string[][]): () => TextSink<string> {
    return () => {
      const chunks: string[] = []
      created.push(chunks)
      return { write: (chunk) => void chunks.push(chunk.toString('utf8')), end: () => chunks.join('') }
    }
  }

  it('streams the body into the sink with Accept text/plain', async () => {
    const body = 'up{pod="crate-data-hot-x-0"} 1.0 1727786095079\n'
    pool().intercept({ path: METRICS }).reply(200, body)
    const sinks: string[][] = []
    expect(await client().orgMetrics(ORG, signal(), textSink(sinks))).toBe(body)
    expect((calls()[0]?.headers as Record<string, string>)['accept']).toBe('text/plain')
  })

  it('204 means no data: null, and no sink is made', async () => {
    pool().intercept({ path: METRICS }).reply(204, '')
    const sinks: string[][] = []
    expect(await client().orgMetrics(ORG, signal(), textSink(sinks))).toBeNull()
    expect(sinks).toHaveLength(0)
  })

  it('a body cut short is retried into a fresh sink', async () => {
    pool()
      .intercept({ path: METRICS })
      .reply(200, 'up 1\n', { headers: { 'content-length': '99' } })
    pool().intercept({ path: METRICS }).reply(200, 'up 2\n')
    const sinks: string[][] = []
    expect(await client().orgMetrics(ORG, signal(), textSink(sinks))).toBe('up 2\n')
    expect(sinks).toEqual([['up 1\n'], ['up 2\n']])
  })

  it('enforces max_response_bytes while streaming', async () => {
    pool().intercept({ path: METRICS }).reply(200, 'x'.repeat(5000))
    const error = await failure(client({ maxResponseBytes: 1000 }).orgMetrics(ORG, signal(), textSink([])))
    expect(error.reason).toBe('decode')
    expect(error.endpoint).toBe(METRICS_TEMPLATE)
  })

  it('names api.max_metrics_response_bytes when the metrics body is over that limit', async () => {
    pool().intercept({ path: METRICS }).reply(200, 'x'.repeat(5000))
    const limited = client({ maxResponseBytes: 100_000, maxMetricsResponseBytes: 1000 })
    const error = await failure(limited.orgMetrics(ORG, signal(), textSink([])))
    expect(error.reason).toBe('decode')
    expect(error.message).toContain('larger than the limit of 1000 bytes (api.max_metrics_response_bytes)')
  })

  it('a sink that throws is decode', async () => {
    pool().intercept({ path: METRICS }).reply(200, 'up 1\n')
    const sink = (): TextSink<number> => ({
      write: () => {
        throw new Error('not Prometheus text')
      },
      end: () => 0
    })
    const error = await failure(client().orgMetrics(ORG, signal(), sink))
    expect(error.reason).toBe('decode')
    expect(error.message).toContain('not Prometheus text')
  })
})
