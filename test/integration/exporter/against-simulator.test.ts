import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePromText } from '../../../src/prom-text/index.js'
import type { OrgMetricsTruth } from '../../../src/simulator/index.js'
import { scrape, startTestExporter, waitFor, type TestExporter } from '../../helpers/exporter.js'
import { startTestSimulator, type RunningSimulator } from '../../helpers/simulator.js'

type Samples = ReturnType<typeof parsePromText>['samples']

function value(samples: Samples, name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  return found[0]?.value
}

let simulator: RunningSimulator
let exporter: TestExporter
/** Every distinct org-metrics body the simulator served, oldest first, per organization. */
const served = new Map<string, OrgMetricsTruth[]>()
let recorder: NodeJS.Timeout

beforeAll(async () => {
  simulator = await startTestSimulator({
    scenario: { kind: 'generated', organizations: 2, projectsPerOrganization: 2, clusters: 4 },
    settings: { rateLimitWindowMs: 200 }
  })
  // Record each body the simulator serves, to know the two counter readings behind a rate.
  recorder = setInterval(() => {
    for (const organization of simulator.state.organizations()) {
      const truth = simulator.state.lastOrgMetrics(organization.id)
      if (truth === undefined) continue
      const list = served.get(organization.id) ?? []
      if (list.at(-1)?.atMs !== truth.atMs) list.push(truth)
      served.set(organization.id, list)
    }
  }, 10)
  exporter = await startTestExporter(simulator, {
    flags: { 'collector.org_metrics.interval': '1s', 'collector.inventory.interval': '1s' }
  })
  await waitFor('readiness', async () => (await fetch(`${exporter.url}/readyz`)).status === 200)
})

afterAll(async () => {
  clearInterval(recorder)
  await exporter?.close()
  await simulator?.close()
})

describe('the exporter against the simulator', () => {
  it('reports capacity, nodes, health and suspension exactly as the simulated clusters have them', async () => {
    const samples = parsePromText(await scrape(exporter)).samples
    const clusters = simulator.state.clusters()
    expect(clusters.length).toBe(8)
    for (const cluster of clusters) {
      const id = { cluster_id: cluster.id, cluster_name: cluster.name }
      expect(value(samples, 'cratedb_cloud_cluster_nodes', id)).toBe(cluster.nodes.length)
      expect(value(samples, 'cratedb_cloud_cluster_storage_capacity_bytes', id)).toBe(
        cluster.diskSizePerNodeBytes * cluster.nodes.length
      )
      expect(value(samples, 'cratedb_cloud_cluster_cpus_per_node', id)).toBe(cluster.plan.cpusPerNode)
      expect(value(samples, 'cratedb_cloud_cluster_suspended', id)).toBe(cluster.suspended ? 1 : 0)
      const status = simulator.state.healthStatus(cluster)
      expect(value(samples, 'cratedb_cloud_cluster_health_status', { ...id, status })).toBe(1)
    }
  })

  it('reports per-node storage, and CPU cores from the two counter readings the simulator served', async () => {
    let mismatch = ''
    await waitFor('exporter values equal to the last body served', async () => {
      const samples = parsePromText(await scrape(exporter)).samples
      mismatch = ''
      for (const [organizationId, bodies] of served) {
        const [previous, last] = bodies.slice(-2)
        if (previous === undefined || last === undefined) {
          mismatch = `fewer than two bodies for ${organizationId}`
          return false
        }
        for (const [clusterId, cluster] of Object.entries(last.clusters)) {
          for (const node of cluster.nodes) {
            const labels = { cluster_id: clusterId, node: `data-hot-${node.ordinal}` }
            const before = previous.clusters[clusterId]?.nodes[node.ordinal]
            const storage = value(samples, 'cratedb_cloud_node_storage_used_bytes', labels)
            const cores = value(samples, 'cratedb_cloud_node_cpu_usage_cores', labels)
            if (before === undefined) continue
            const expectedCores =
              (node.cpuSecondsTotal - before.cpuSecondsTotal) /
              ((node.cpuTimestampMs - before.cpuTimestampMs) / 1000)
            if (
              storage !== node.storageUsedBytes ||
              cores === undefined ||
              Math.abs(cores - expectedCores) > 1e-9
            ) {
              mismatch = `${cluster.name}/${labels.node}: storage ${storage} vs ${node.storageUsedBytes}, cores ${cores} vs ${expectedCores}`
              return false
            }
          }
        }
      }
      return true
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; last mismatch: ${mismatch}`)
    })
  })

  it('withdraws every series of a cluster the simulator deletes', async () => {
    const victim = simulator.state.clusters().find((cluster) => !cluster.suspended)
    if (victim === undefined) throw new Error('no running cluster in the scenario')
    expect(await scrape(exporter)).toContain(victim.id)
    simulator.state.deleteCluster(victim.id)
    await waitFor(
      'the deleted cluster to disappear',
      async () => !(await scrape(exporter)).includes(victim.id)
    )
    const other = simulator.state.clusters()[0]
    expect(await scrape(exporter)).toContain(other?.id ?? 'missing')
  })
})
