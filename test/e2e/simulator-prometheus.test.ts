import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalTool } from '../helpers/environment.js'
import { startTestPrometheus, type PromSample, type RunningPrometheus } from '../helpers/prometheus.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'

const prometheus = externalTool('prometheus')

/** A real Prometheus scrapes the simulator exactly as CrateDB's monitoring tutorial configures it. */
describe.skipIf(prometheus === undefined)('Prometheus scrapes the simulated org metrics endpoint', () => {
  let sim: RunningSimulator
  let prom: RunningPrometheus
  let orgId: string

  beforeAll(async () => {
    sim = await startTestSimulator({ credentials: [{ key: 'tutorial-key', secret: 'tutorial-secret' }] })
    orgId = sim.state.organizations()[0]!.id
    prom = await startTestPrometheus({
      binary: prometheus!,
      jobName: 'cratedb',
      target: new URL(sim.url).host,
      metricsPath: `/api/v2/organizations/${orgId}/metrics/prometheus/`,
      basicAuth: { username: 'tutorial-key', password: 'tutorial-secret' }
    })
  })

  afterAll(async () => {
    await prom?.close()
    await sim?.close()
  })

  const eventually = (expr: string, ready: (r: PromSample[]) => boolean) =>
    prom.eventually(expr, ready, 40_000)

  it('collects a CPU series for every node of every running cluster', async () => {
    const running = sim.state.clusters({ organizationId: orgId }).filter((c) => sim.state.isEmitting(c))
    const pods = running.flatMap((c) => c.nodes.map((n) => `crate-data-hot-${c.id}-${n.ordinal}`)).sort()
    const result = await eventually(
      'container_cpu_usage_seconds_total{job="cratedb",container="crate"}',
      (r) => r.length >= pods.length
    )
    expect(result.map((r) => r.metric['pod']).sort()).toEqual(pods)
    const truth = sim.state.lastOrgMetrics(orgId)!
    for (const r of result) {
      const [, clusterId, ordinal] = /^crate-data-hot-(.+)-(\d+)$/.exec(r.metric['pod']!)!
      const node = truth.clusters[clusterId!]!.nodes[Number(ordinal)]!
      expect(Number(r.value?.[1])).toBe(node.cpuSecondsTotal)
    }
  })

  it('has the health of every running cluster by cluster_id and cluster_name, and nothing of suspended ones', async () => {
    const clusters = sim.state.clusters({ organizationId: orgId })
    const running = clusters.filter((c) => sim.state.isEmitting(c))
    const health = await eventually('cloud_clusters_health{job="cratedb"}', (r) => r.length >= running.length)
    expect(health.map((r) => `${r.metric['cluster_id']}/${r.metric['cluster_name']}`).sort()).toEqual(
      running.map((c) => `${c.id}/${c.name}`).sort()
    )
    const suspended = clusters.filter((c) => !sim.state.isEmitting(c))
    expect(suspended.length).toBeGreaterThan(0)
    for (const c of suspended)
      expect(await prom.query(`crate_ready{pod_name=~"crate-data-hot-${c.id}-.*"}`)).toEqual([])
  })

  it('sums shard sizes per node to the storage the simulator holds', async () => {
    const result = await eventually(
      'sum by (pod_name) (crate_node{job="cratedb",name="shard_info",property="size"})',
      (r) => r.length > 0
    )
    const truth = sim.state.lastOrgMetrics(orgId)!
    const quiet = sim.state.clusters({ organizationId: orgId }).find((c) => c.name === 'sandbox')!
    const node = truth.clusters[quiet.id]!.nodes[0]!
    const row = result.find((r) => r.metric['pod_name'] === node.pod)
    expect(row).toBeDefined()
    // Prometheus keeps one sample of a repeated series per scrape; the sum is at most the truth.
    expect(Number(row!.value?.[1])).toBeGreaterThan(0)
    expect(Number(row!.value?.[1])).toBeLessThanOrEqual(node.storageUsedBytes)
    const up = await eventually('up{job="cratedb"}', (r) => r.some((x) => x.metric['instance'] !== undefined))
    expect(up.find((x) => x.metric['pod_name'] === undefined)?.value?.[1]).toBe('1')
  })
})
