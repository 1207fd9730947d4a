import type { NodeReading, OrgMetricsReading, QueryCounters, TimedValue } from './types.js'
import { families as f } from '../../metrics/catalogue.js'
import type { FamilySnapshot } from '../../metrics/types.js'
import type { Directory, DirectoryCluster } from '../directory.js'
import { FamilyBuilder } from '../family-builder.js'

/** Rates computed at the previous poll, kept so that a body the API re-serves from its cache keeps them. */
export interface RateMemory {
  /** Per `${clusterId}/${node}`: the counter readings and the last rates derived from them. */
  readonly nodes: Map<string, NodeRates>
}

export interface NodeRates {
  cpu?: TimedValue
  cpuCores?: number
  queries: Map<string, QueryRates>
}

interface QueryRates {
  total?: TimedValue
  durationMillis?: TimedValue
  perSecond?: number
  countDelta?: number
  durationDeltaMillis?: number | undefined
}

export function createRateMemory(): RateMemory {
  return { nodes: new Map() }
}

export const FAMILIES = [
  f.clusterCpuUsage,
  f.clusterCpuUtilization,
  f.clusterStorageUsed,
  f.clusterStorageAvailable,
  f.clusterStorageUtilization,
  f.clusterQueriesPerSecond,
  f.clusterQueryMeanDuration,
  f.clusterReadyNodes,
  f.clusterLastUserActivity,
  f.nodeCpuUsage,
  f.nodeCpuUtilization,
  f.nodeCpuSeconds,
  f.nodeMemoryUsage,
  f.nodeMemoryUtilization,
  f.nodeHeapUsed,
  f.nodeHeapMax,
  f.nodeStorageUsed,
  f.nodeStorageCapacity,
  f.nodeStorageAvailable,
  f.nodeStorageUtilization,
  f.nodeShards,
  f.nodeReady,
  f.nodeQueries,
  f.nodeQueryFailures,
  f.nodeQueryDuration,
  f.orgMetricsNewestSample,
  f.orgMetricsBodyBytes,
  f.orgMetricsInvalidLines,
  f.orgMetricsDroppedNodes,
  f.orgMetricsReservedBodies
]

/**
 * The rate of a counter between two readings, over the samples' own timestamps. null when there is no
 * earlier reading, when time did not advance (a cached body) or when the counter went backwards (a
 * restarted container).
 */
export function counterRate(previous: TimedValue | undefined, current: TimedValue): number | null {
  if (previous === undefined) return null
  const seconds = (current.timestampMs - previous.timestampMs) / 1000
  if (seconds <= 0) return null
  const delta = current.value - previous.value
  if (delta < 0) return null
  return delta / seconds
}

interface ClusterTotals {
  entry: DirectoryCluster | undefined
  name: string
  cpuCores: number
  cpuNodes: number
  storageUsed: number
  ready: number
  lastUserActivity: number | null
  queries: Map<string, { perSecond: number; countDelta: number; durationDeltaMillis: number }>
}

/**
 * Turns one organization metrics reading into the exporter's families, joined with the directory's
 * names and capacity. `memory` carries counter readings from poll to poll and is updated in place.
 */
export function deriveOrgMetrics(
  organizationId: string,
  reading: OrgMetricsReading | null,
  directory: Directory,
  memory: RateMemory,
  reservedBodies?: number
): FamilySnapshot[] {
  const out = new FamilyBuilder(FAMILIES)
  out.add(f.orgMetricsReservedBodies, [organizationId], reservedBodies)
  if (reading !== null) {
    out.add(f.orgMetricsBodyBytes, [organizationId], reading.bytes)
    out.add(f.orgMetricsInvalidLines, [organizationId], reading.invalidLines)
    out.add(
      f.orgMetricsDroppedNodes,
      [organizationId, 'unknown_cluster'],
      reading.droppedNodes.unknownCluster
    )
    out.add(f.orgMetricsDroppedNodes, [organizationId, 'limit'], reading.droppedNodes.overLimit)
    if (reading.newestSampleMs !== null)
      out.add(f.orgMetricsNewestSample, [organizationId], reading.newestSampleMs / 1000)
  }
  const clusters = new Map<string, ClusterTotals>()
  const seen = new Set<string>()
  for (const [key, node] of reading?.nodes ?? []) {
    const entry = directory.clusters.get(node.clusterId)
    // Without an inventory yet, the health series still names the cluster; a cluster the filters
    // removed, or another organization's, is dropped; a suspended cluster exposes no node series.
    if (entry === undefined && (directory.updatedAt > 0 || !reading?.clusterHealth.has(node.clusterId)))
      continue
    if (entry !== undefined && (entry.organization.id !== organizationId || entry.cluster.suspended)) continue
    seen.add(key)
    const name = entry?.cluster.name ?? reading?.clusterHealth.get(node.clusterId)?.name ?? ''
    let totals = clusters.get(node.clusterId)
    if (totals === undefined) {
      totals = {
        entry,
        name,
        cpuCores: 0,
        cpuNodes: 0,
        storageUsed: 0,
        ready: 0,
        lastUserActivity: null,
        queries: new Map()
      }
      clusters.set(node.clusterId, totals)
    }
    addNode(out, node, totals, rememberedRates(memory, key))
  }
  for (const key of memory.nodes.keys()) if (!seen.has(key)) memory.nodes.delete(key)
  for (const [clusterId, totals] of clusters) addCluster(out, clusterId, totals)
  return out.build()
}

function rememberedRates(memory: RateMemory, key: string): NodeRates {
  let rates = memory.nodes.get(key)
  if (rates === undefined) {
    rates = { queries: new Map() }
    memory.nodes.set(key, rates)
  }
  return rates
}

function addNode(out: FamilyBuilder, node: NodeReading, totals: ClusterTotals, rates: NodeRates): void {
  const labels = [node.clusterId, totals.name, node.node]
  const specs = totals.entry?.cluster.hardware_specs ?? null
  if (node.cpuSecondsTotal !== undefined) {
    const rate = counterRate(rates.cpu, node.cpuSecondsTotal)
    if (rate !== null) rates.cpuCores = rate
    else if (rates.cpu !== undefined && node.cpuSecondsTotal.value < rates.cpu.value) delete rates.cpuCores
    rates.cpu = node.cpuSecondsTotal
    out.add(f.nodeCpuSeconds, labels, node.cpuSecondsTotal.value)
    if (rates.cpuCores !== undefined) {
      out.add(f.nodeCpuUsage, labels, rates.cpuCores)
      totals.cpuCores += rates.cpuCores
      totals.cpuNodes++
      const cpus = specs?.cpus_per_node ?? null
      if (cpus !== null && cpus > 0) out.add(f.nodeCpuUtilization, labels, rates.cpuCores / cpus)
    }
  }
  out.add(f.nodeMemoryUsage, labels, node.memoryUsageBytes)
  const memoryPerNode = specs?.memory_per_node_bytes ?? null
  if (node.memoryUsageBytes !== undefined && memoryPerNode !== null && memoryPerNode > 0) {
    out.add(f.nodeMemoryUtilization, labels, node.memoryUsageBytes / memoryPerNode)
  }
  out.add(f.nodeHeapUsed, labels, node.heapUsedBytes)
  out.add(f.nodeHeapMax, labels, node.heapMaxBytes)
  out.add(f.nodeStorageUsed, labels, node.storageUsedBytes)
  out.add(f.nodeStorageCapacity, labels, specs?.disk_size_per_node_bytes)
  const diskPerNode = specs?.disk_size_per_node_bytes ?? null
  if (diskPerNode !== null && diskPerNode > 0) {
    out.add(f.nodeStorageAvailable, labels, Math.max(0, diskPerNode - node.storageUsedBytes))
    out.add(f.nodeStorageUtilization, labels, node.storageUsedBytes / diskPerNode)
  }
  out.add(f.nodeShards, labels, node.shards)
  out.add(f.nodeReady, labels, node.ready)
  totals.storageUsed += node.storageUsedBytes
  if (node.ready === 1) totals.ready++
  if (node.lastUserActivitySeconds !== undefined) {
    totals.lastUserActivity = Math.max(totals.lastUserActivity ?? 0, node.lastUserActivitySeconds)
  }
  for (const [queryType, counters] of node.queries) {
    // concat sizes the array exactly; a spread leaves room for 17 labels (150 bytes more per array).
    const queryLabels = labels.concat(queryType)
    out.add(f.nodeQueries, queryLabels, counters.total?.value)
    out.add(f.nodeQueryFailures, queryLabels, counters.failed?.value)
    if (counters.durationMillis !== undefined) {
      out.add(f.nodeQueryDuration, queryLabels, counters.durationMillis.value / 1000)
    }
    addQueryRates(totals, queryType, counters, rates)
  }
}

function addQueryRates(
  totals: ClusterTotals,
  queryType: string,
  counters: QueryCounters,
  rates: NodeRates
): void {
  let remembered = rates.queries.get(queryType)
  if (remembered === undefined) {
    remembered = {}
    rates.queries.set(queryType, remembered)
  }
  if (counters.total !== undefined) {
    const rate = counterRate(remembered.total, counters.total)
    if (rate !== null && remembered.total !== undefined) {
      remembered.perSecond = rate
      remembered.countDelta = counters.total.value - remembered.total.value
      const durationDelta =
        counters.durationMillis !== undefined && remembered.durationMillis !== undefined
          ? counters.durationMillis.value - remembered.durationMillis.value
          : -1
      remembered.durationDeltaMillis = durationDelta >= 0 ? durationDelta : undefined
    } else if (remembered.total !== undefined && counters.total.value < remembered.total.value) {
      rates.queries.set(queryType, {})
      remembered = {}
    }
    remembered.total = counters.total
  }
  if (counters.durationMillis !== undefined) remembered.durationMillis = counters.durationMillis
  if (remembered.perSecond === undefined) return
  let sum = totals.queries.get(queryType)
  if (sum === undefined) {
    sum = { perSecond: 0, countDelta: 0, durationDeltaMillis: 0 }
    totals.queries.set(queryType, sum)
  }
  sum.perSecond += remembered.perSecond
  if (remembered.countDelta !== undefined && remembered.durationDeltaMillis !== undefined) {
    sum.countDelta += remembered.countDelta
    sum.durationDeltaMillis += remembered.durationDeltaMillis
  }
}

function addCluster(out: FamilyBuilder, clusterId: string, totals: ClusterTotals): void {
  const labels = [clusterId, totals.name]
  const cluster = totals.entry?.cluster
  out.add(f.clusterStorageUsed, labels, totals.storageUsed)
  const perNode = cluster?.hardware_specs?.disk_size_per_node_bytes ?? null
  if (cluster !== undefined && perNode !== null && perNode > 0) {
    const capacity = perNode * cluster.num_nodes
    out.add(f.clusterStorageAvailable, labels, Math.max(0, capacity - totals.storageUsed))
    out.add(f.clusterStorageUtilization, labels, totals.storageUsed / capacity)
  }
  if (totals.cpuNodes > 0) {
    out.add(f.clusterCpuUsage, labels, totals.cpuCores)
    const cpus = cluster?.hardware_specs?.cpus_per_node ?? null
    if (cpus !== null && cpus > 0)
      out.add(f.clusterCpuUtilization, labels, totals.cpuCores / (cpus * totals.cpuNodes))
  }
  out.add(f.clusterReadyNodes, labels, totals.ready)
  out.add(f.clusterLastUserActivity, labels, totals.lastUserActivity)
  for (const [queryType, sum] of totals.queries) {
    const queryLabels = labels.concat(queryType)
    out.add(f.clusterQueriesPerSecond, queryLabels, sum.perSecond)
    if (sum.countDelta > 0) {
      out.add(f.clusterQueryMeanDuration, queryLabels, sum.durationDeltaMillis / 1000 / sum.countDelta)
    }
  }
}
