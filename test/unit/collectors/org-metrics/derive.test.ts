import { describe, expect, it } from 'vitest'
import { buildDirectory } from '../../../../src/collectors/inventory/collector.js'
import { MATCH_ALL } from '../../../../src/collectors/inventory/filters.js'
import {
  counterRate,
  createRateMemory,
  deriveOrgMetrics
} from '../../../../src/collectors/org-metrics/derive.js'
import {
  cluster,
  nodeReading,
  organization,
  project,
  reading,
  samplesOf,
  valueOf
} from '../../../helpers/builders.js'

const ORG = organization()
const filters = { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }
const C = cluster()
const directory = buildDirectory([{ organization: ORG, projects: [project()], clusters: [C] }], filters, 1)
const GiB = 1024 ** 3

/** A reading of one node's CPU counter. */
const cpuAt = (value: number, timestampMs: number) =>
  reading([nodeReading(C.id, 'data-hot-0', { cpuSecondsTotal: { value, timestampMs } })])

describe('counterRate', () => {
  it('divides the counter delta by the samples own time delta', () => {
    expect(counterRate({ value: 100, timestampMs: 1_000 }, { value: 190, timestampMs: 61_000 })).toBe(1.5)
  })
  it('gives no rate without an earlier reading, when time stands still, or after a reset', () => {
    expect(counterRate(undefined, { value: 1, timestampMs: 1 })).toBeNull()
    expect(counterRate({ value: 1, timestampMs: 5 }, { value: 2, timestampMs: 5 })).toBeNull()
    expect(counterRate({ value: 10, timestampMs: 5 }, { value: 2, timestampMs: 65 })).toBeNull()
  })
})

describe('deriveOrgMetrics', () => {
  it('reports CPU cores from two counter readings and utilization against cpus_per_node', () => {
    const memory = createRateMemory()
    const first = reading([
      nodeReading(C.id, 'data-hot-0', { cpuSecondsTotal: { value: 1000, timestampMs: 0 } })
    ])
    const before = deriveOrgMetrics(ORG.id, first, directory, memory)
    expect(valueOf(before, 'cratedb_cloud_node_cpu_usage_cores', { node: 'data-hot-0' })).toBeUndefined()
    expect(valueOf(before, 'cratedb_cloud_node_cpu_seconds_total', { node: 'data-hot-0' })).toBe(1000)

    const second = reading([
      nodeReading(C.id, 'data-hot-0', { cpuSecondsTotal: { value: 1090, timestampMs: 60_000 } })
    ])
    const after = deriveOrgMetrics(ORG.id, second, directory, memory)
    expect(valueOf(after, 'cratedb_cloud_node_cpu_usage_cores', { node: 'data-hot-0' })).toBe(1.5)
    expect(valueOf(after, 'cratedb_cloud_node_cpu_utilization_ratio', { node: 'data-hot-0' })).toBe(0.75)
    expect(valueOf(after, 'cratedb_cloud_cluster_cpu_usage_cores', { cluster_id: C.id })).toBe(1.5)
    expect(
      valueOf(after, 'cratedb_cloud_cluster_cpu_utilization_ratio', { cluster_name: 'my-cluster' })
    ).toBe(0.75)
  })

  it('keeps the last rate when the API re-serves a cached body with the same timestamps', () => {
    const memory = createRateMemory()
    deriveOrgMetrics(ORG.id, cpuAt(0, 0), directory, memory)
    deriveOrgMetrics(ORG.id, cpuAt(60, 60_000), directory, memory)
    const cached = deriveOrgMetrics(ORG.id, cpuAt(60, 60_000), directory, memory)
    expect(valueOf(cached, 'cratedb_cloud_node_cpu_usage_cores', { node: 'data-hot-0' })).toBe(1)
  })

  it('drops the rate after a counter reset instead of reporting a negative or huge value', () => {
    const memory = createRateMemory()
    deriveOrgMetrics(ORG.id, cpuAt(500, 0), directory, memory)
    deriveOrgMetrics(ORG.id, cpuAt(560, 60_000), directory, memory)
    const reset = deriveOrgMetrics(ORG.id, cpuAt(3, 120_000), directory, memory)
    expect(valueOf(reset, 'cratedb_cloud_node_cpu_usage_cores', { node: 'data-hot-0' })).toBeUndefined()
    const next = deriveOrgMetrics(ORG.id, cpuAt(63, 180_000), directory, memory)
    expect(valueOf(next, 'cratedb_cloud_node_cpu_usage_cores', { node: 'data-hot-0' })).toBe(1)
  })

  it('sums shard bytes per node into cluster storage and compares with num_nodes x disk size', () => {
    const nodes = [0, 1, 2].map((i) =>
      nodeReading(C.id, `data-hot-${i}`, { storageUsedBytes: (i + 1) * GiB, shards: 10 + i })
    )
    const out = deriveOrgMetrics(ORG.id, reading(nodes), directory, createRateMemory())
    expect(valueOf(out, 'cratedb_cloud_node_storage_used_bytes', { node: 'data-hot-1' })).toBe(2 * GiB)
    expect(valueOf(out, 'cratedb_cloud_node_storage_capacity_bytes', { node: 'data-hot-1' })).toBe(32 * GiB)
    expect(valueOf(out, 'cratedb_cloud_node_shards', { node: 'data-hot-2' })).toBe(12)
    expect(valueOf(out, 'cratedb_cloud_cluster_storage_used_bytes', { cluster_id: C.id })).toBe(6 * GiB)
    expect(valueOf(out, 'cratedb_cloud_cluster_storage_available_bytes', { cluster_id: C.id })).toBe(90 * GiB)
    expect(valueOf(out, 'cratedb_cloud_cluster_storage_utilization_ratio', { cluster_id: C.id })).toBe(6 / 96)
  })

  it('gives each node its own available bytes and utilization, so the fullest node shows behind a roomy cluster', () => {
    const nodes = [
      nodeReading(C.id, 'data-hot-0', { storageUsedBytes: 30 * GiB }),
      nodeReading(C.id, 'data-hot-1', { storageUsedBytes: 4 * GiB }),
      nodeReading(C.id, 'data-hot-2', { storageUsedBytes: 40 * GiB })
    ]
    const out = deriveOrgMetrics(ORG.id, reading(nodes), directory, createRateMemory())
    expect(valueOf(out, 'cratedb_cloud_node_storage_available_bytes', { node: 'data-hot-0' })).toBe(2 * GiB)
    expect(valueOf(out, 'cratedb_cloud_node_storage_utilization_ratio', { node: 'data-hot-0' })).toBe(30 / 32)
    expect(valueOf(out, 'cratedb_cloud_node_storage_utilization_ratio', { node: 'data-hot-1' })).toBe(4 / 32)
    // more than the disk: utilization above 1, available never negative
    expect(valueOf(out, 'cratedb_cloud_node_storage_available_bytes', { node: 'data-hot-2' })).toBe(0)
    expect(valueOf(out, 'cratedb_cloud_node_storage_utilization_ratio', { node: 'data-hot-2' })).toBe(40 / 32)
    expect(valueOf(out, 'cratedb_cloud_cluster_storage_utilization_ratio', { cluster_id: C.id })).toBe(
      74 / 96
    )
  })

  it('derives query rate and mean latency per query type from counter deltas', () => {
    const memory = createRateMemory()
    const at = (total: number, durationMillis: number, timestampMs: number) =>
      reading([
        nodeReading(C.id, 'data-hot-0', {
          queries: new Map([
            [
              'Select',
              {
                total: { value: total, timestampMs },
                failed: { value: 2, timestampMs },
                durationMillis: { value: durationMillis, timestampMs }
              }
            ]
          ])
        })
      ])
    deriveOrgMetrics(ORG.id, at(1000, 50_000, 0), directory, memory)
    const out = deriveOrgMetrics(ORG.id, at(1600, 80_000, 60_000), directory, memory)
    const labels = { node: 'data-hot-0', query_type: 'Select' }
    expect(valueOf(out, 'cratedb_cloud_node_queries_total', labels)).toBe(1600)
    expect(valueOf(out, 'cratedb_cloud_node_query_failures_total', labels)).toBe(2)
    expect(valueOf(out, 'cratedb_cloud_node_query_duration_seconds_total', labels)).toBe(80)
    expect(valueOf(out, 'cratedb_cloud_cluster_queries_per_second', { query_type: 'Select' })).toBe(10)
    // 30,000 ms over 600 queries = 50 ms each
    expect(valueOf(out, 'cratedb_cloud_cluster_query_mean_duration_seconds', { query_type: 'Select' })).toBe(
      0.05
    )
  })

  it('exposes no node series of a suspended cluster, nor of clusters the inventory filtered out', () => {
    const suspended = cluster({ id: '11111111-2222-4333-8444-555555555555', name: 'sleepy', suspended: true })
    const dir = buildDirectory(
      [{ organization: ORG, projects: [project()], clusters: [C, suspended] }],
      filters,
      1
    )
    const out = deriveOrgMetrics(
      ORG.id,
      reading([
        nodeReading(suspended.id, 'data-hot-0', { storageUsedBytes: 5 }),
        nodeReading('99999999-2222-4333-8444-555555555555', 'data-hot-0', { storageUsedBytes: 7 }),
        nodeReading(C.id, 'data-hot-0', { storageUsedBytes: 9 })
      ]),
      dir,
      createRateMemory()
    )
    expect(
      samplesOf(out, 'cratedb_cloud_node_storage_used_bytes').map((s) => s.labels['cluster_name'])
    ).toEqual(['my-cluster'])
  })

  it('names clusters from cloud_clusters_health before the first inventory', () => {
    const out = deriveOrgMetrics(
      ORG.id,
      reading([nodeReading(C.id, 'data-hot-0', { storageUsedBytes: 9 })], {
        clusterHealth: new Map([[C.id, { name: 'from-health', value: 0 }]])
      }),
      { organizations: [], projects: new Map(), clusters: new Map(), updatedAt: 0 },
      createRateMemory()
    )
    expect(valueOf(out, 'cratedb_cloud_node_storage_used_bytes', { cluster_name: 'from-health' })).toBe(9)
  })

  it('reports the newest sample time and body size of the organization', () => {
    const out = deriveOrgMetrics(
      ORG.id,
      reading([], { newestSampleMs: 1_778_668_460_170, bytes: 244_000, invalidLines: 2 }),
      directory,
      createRateMemory()
    )
    expect(
      valueOf(out, 'cratedb_cloud_org_metrics_newest_sample_timestamp_seconds', { organization_id: ORG.id })
    ).toBe(1_778_668_460.17)
    expect(valueOf(out, 'cratedb_cloud_org_metrics_body_bytes', {})).toBe(244_000)
    expect(valueOf(out, 'cratedb_cloud_org_metrics_invalid_lines', {})).toBe(2)
  })
})
