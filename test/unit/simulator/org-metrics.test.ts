import { describe, expect, it } from 'vitest'
import { createOrgMetricsReader } from '../../../src/collectors/org-metrics/reader.js'
import { createFixture } from './fixture.js'
import { parseSamples, type Sample } from './prom-text.js'

function byPod(
  samples: Sample[],
  family: string,
  filter: (s: Sample) => boolean = () => true
): Map<string, Sample[]> {
  const map = new Map<string, Sample[]>()
  for (const s of samples.filter((x) => x.family === family && filter(x))) {
    const pod = s.labels['pod'] ?? s.labels['pod_name'] ?? ''
    map.set(pod, [...(map.get(pod) ?? []), s])
  }
  return map
}

describe('simulator org metrics endpoint', () => {
  it('serves one body per minute: the same bytes again inside the window (cache), a new one after', async () => {
    const f = createFixture()
    const org = f.state.organizations()[0]!
    const first = await f.get(f.orgMetricsUrl(org.id))
    f.clock.advance(30_000)
    const again = await f.get(f.orgMetricsUrl(org.id))
    expect(again.statusCode).toBe(200)
    expect(again.body).toBe(first.body)
    f.clock.advance(31_000)
    expect((await f.get(f.orgMetricsUrl(org.id))).body).not.toBe(first.body)
  })

  it('answers 429 with Retry-After inside the window when switched', async () => {
    const f = createFixture({ settings: { rateLimit: '429' } })
    const org = f.state.organizations()[0]!
    expect((await f.get(f.orgMetricsUrl(org.id))).statusCode).toBe(200)
    f.clock.advance(20_000)
    const limited = await f.get(f.orgMetricsUrl(org.id))
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBe('40')
    expect(limited.json()).toMatchObject({ success: false })
  })

  it('answers 204 when no cluster of the organization runs, and 404 for an unknown organization', async () => {
    const f = createFixture()
    const org = f.state.organizations()[1]!
    for (const c of f.state.clusters({ organizationId: org.id })) f.state.suspendCluster(c.id, true)
    expect((await f.get(f.orgMetricsUrl(org.id))).statusCode).toBe(204)
    expect((await f.get(f.orgMetricsUrl('00000000-0000-4000-8000-000000000000'))).statusCode).toBe(404)
  })

  it('records ground truth equal to what the body printed', async () => {
    const f = createFixture()
    const org = f.state.organizations()[0]!
    const samples = parseSamples((await f.get(f.orgMetricsUrl(org.id))).body)
    const truth = f.state.lastOrgMetrics(org.id)!
    expect(Object.keys(truth.clusters).sort()).toEqual(
      f.state
        .clusters({ organizationId: org.id })
        .filter((c) => f.state.isEmitting(c))
        .map((c) => c.id)
        .sort()
    )
    const shards = byPod(samples, 'crate_node', (s) => s.labels['name'] === 'shard_info')
    const cpu = byPod(samples, 'container_cpu_usage_seconds_total', (s) => s.labels['container'] === 'crate')
    const memory = byPod(samples, 'container_memory_usage_bytes', (s) => s.labels['container'] === 'crate')
    const selects = byPod(samples, 'crate_query_total_count', (s) => s.labels['query'] === 'Select')
    for (const cluster of Object.values(truth.clusters))
      for (const node of cluster.nodes) {
        const rows = shards.get(node.pod) ?? []
        expect(rows.reduce((sum, s) => sum + s.value, 0)).toBe(node.storageUsedBytes)
        expect(rows).toHaveLength(node.shards)
        expect(cpu.get(node.pod)?.[0]).toMatchObject({
          value: node.cpuSecondsTotal,
          timestampMs: node.cpuTimestampMs
        })
        expect(memory.get(node.pod)?.[0]?.value).toBe(node.memoryBytes)
        expect(selects.get(node.pod)?.[0]?.value).toBe(node.queries.Select.total)
        expect(node.heapUsedBytes).toBeLessThan(node.heapMaxBytes)
      }
  })

  it('lets counters only grow while CPU use varies per node and with the configured load', async () => {
    const f = createFixture({ settings: { rateLimitWindowMs: 0 } })
    const org = f.state.organizations()[0]!
    const rates: number[][] = []
    let previous: Record<string, { cpu: number; t: number; selects: number }> = {}
    for (let i = 0; i < 8; i++) {
      if (i === 4) f.state.setCpuLoad(0.9)
      await f.get(f.orgMetricsUrl(org.id))
      const truth = f.state.lastOrgMetrics(org.id)!
      const now: typeof previous = {}
      const row: number[] = []
      for (const cluster of Object.values(truth.clusters))
        for (const node of cluster.nodes) {
          now[node.pod] = {
            cpu: node.cpuSecondsTotal,
            t: node.cpuTimestampMs,
            selects: node.queries.Select.total
          }
          const before = previous[node.pod]
          if (before !== undefined) {
            expect(node.cpuSecondsTotal).toBeGreaterThanOrEqual(before.cpu)
            expect(node.queries.Select.total).toBeGreaterThanOrEqual(before.selects)
            row.push((node.cpuSecondsTotal - before.cpu) / ((node.cpuTimestampMs - before.t) / 1000))
          }
        }
      if (row.length > 0) rates.push(row)
      previous = now
      f.clock.advance(60_000)
    }
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
    expect(new Set(rates[0]!.map((r) => r.toFixed(3))).size).toBeGreaterThan(3)
    expect(mean(rates[5]!)).toBeGreaterThan(mean(rates[1]!) * 1.8)
  })

  it('grows storage so that the demo cluster near 85 % (above the 80 % alert) fills up within a day', async () => {
    const f = createFixture({ settings: { rateLimitWindowMs: 0 } })
    const cluster = f.clusterNamed('telemetry-archive')
    const capacity = cluster.diskSizePerNodeBytes
    const fullest = async (): Promise<number> => {
      await f.get(f.orgMetricsUrl(cluster.organizationId))
      return Math.max(
        ...f.state
          .lastOrgMetrics(cluster.organizationId)!
          .clusters[cluster.id]!.nodes.map((n) => n.storageUsedBytes)
      )
    }
    const now = await fullest()
    const nodes = f.state.lastOrgMetrics(cluster.organizationId)!.clusters[cluster.id]!.nodes
    const clusterRatio = nodes.reduce((sum, n) => sum + n.storageUsedBytes, 0) / (capacity * nodes.length)
    expect(clusterRatio).toBeGreaterThan(0.82)
    expect(clusterRatio).toBeLessThan(0.88)
    expect(now / capacity).toBeLessThan(0.95)
    f.clock.advance(3_600_000)
    const later = await fullest()
    const hoursToFull = (capacity - later) / (later - now)
    expect(hoursToFull).toBeGreaterThan(1)
    expect(hoursToFull).toBeLessThan(24)
    const quiet = f.clusterNamed('orders-prod')
    const quietNodes = f.state.lastOrgMetrics(quiet.organizationId)!.clusters[quiet.id]!.nodes
    expect(Math.max(...quietNodes.map((n) => n.storageUsedBytes)) / quiet.diskSizePerNodeBytes).toBeLessThan(
      0.6
    )
  })

  it('escapes backslash, double quote and newline in cluster names, as the real endpoint does', () => {
    const f = createFixture()
    const org = f.state.organizations()[0]!
    const name = 'a "quoted" \\ name\nwith a newline'
    const created = f.state.createCluster({ organizationId: org.id, name })
    const chunks: string[] = []
    f.state.renderOrgMetrics(org.id, f.clock.now(), (chunk) => chunks.push(String(chunk)))
    const reader = createOrgMetricsReader({ validateDropped: true })
    reader.write(Buffer.from(chunks.join('')))
    const reading = reader.end()
    expect(reading.invalidLines).toBe(0)
    expect(reading.clusterHealth.get(created.id)?.name).toBe(name)
  })

  it('renders the same body through renderOrgMetrics for a benchmark', () => {
    const f = createFixture()
    const org = f.state.organizations()[0]!
    const chunks: string[] = []
    const truth = f.state.renderOrgMetrics(org.id, f.clock.now(), (chunk) => chunks.push(String(chunk)))
    expect(truth).not.toBeNull()
    const samples = parseSamples(chunks.join(''))
    expect(samples.filter((s) => s.family === 'crate_ready')).toHaveLength(
      Object.values(truth!.clusters).reduce((sum, c) => sum + c.nodes.length, 0)
    )
  })

  it('serves the per-cluster JSON metrics in the prometheus matrix shape, or as series when switched', async () => {
    const f = createFixture()
    const cluster = f.clusterNamed('orders-prod')
    const url = `/api/v2/clusters/${cluster.id}/metrics/crate_query_count/?minutes_ago=10`
    const matrix = (await f.get(url)).json<{
      data: { resultType: string; result: { metric: { query: string }; values: unknown[] }[] }
    }>()
    expect(matrix.data.resultType).toBe('matrix')
    expect(matrix.data.result.map((r) => r.metric.query)).toContain('Select')
    expect(matrix.data.result[0]!.values.length).toBeGreaterThanOrEqual(10)
    f.state.settings.metricsJsonShape = 'series'
    const series = (await f.get(`/api/v2/clusters/${cluster.id}/metrics/crate_disk_usage2/`)).json<
      Record<string, [number, number][]>
    >()
    expect(Object.keys(series).sort()).toEqual(['total', 'used'])
    expect(series['total']![0]![1]).toBe(cluster.diskSizePerNodeBytes * cluster.nodes.length)
    const suspended = f.clusterNamed('staging')
    expect((await f.get(`/api/v2/clusters/${suspended.id}/metrics/crate_cpu_seconds/`)).statusCode).toBe(204)
  })
})
