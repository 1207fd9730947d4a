import {
  QUERY_MIX,
  cpuSecondsAt,
  heapPoolsAt,
  memoryBytesAt,
  nodeStoredBytesAt,
  queriesAt
} from '../node-model.js'
import { QUERY_TYPES, type QueryType, type Shard, type SimCluster } from '../types.js'

/**
 * Everything one org-metrics body shows, fixed at one instant. The text is a pure function of this, so a
 * rate-limited request can be answered with the same bytes again without keeping the (large) body.
 */

export interface NodeSnapshot {
  readonly ordinal: number
  readonly pod: string
  readonly containerIds: {
    readonly crate: string
    readonly sql: string
    readonly pause: string
    readonly podLevel: string
  }
  readonly weight: number
  readonly phase: number
  readonly ts: { readonly cadvisor: number; readonly pod: number; readonly jmx: number; readonly sql: number }
  /** Seconds since the cluster was created, at the JMX sample time (drives the slow counters). */
  readonly ageS: number
  readonly cpuSeconds: number
  readonly memoryBytes: number
  readonly heap: {
    readonly eden: number
    readonly old: number
    readonly survivor: number
    readonly max: number
  }
  readonly queries: number
  readonly storedBytes: number
  readonly shards: readonly Shard[]
  readonly ready: number
  readonly lastUserActivityS: number
}

export interface ClusterSnapshot {
  readonly id: string
  readonly name: string
  readonly namespace: string
  /** cloud_clusters_health value: 0 GREEN, 1 YELLOW, 2 RED, 3 UNREACHABLE; null when not reported. */
  readonly healthValue: number | null
  readonly healthTs: number
  readonly operatorPod: string
  readonly sidecars: SimCluster['sidecars']
  readonly heapSizeBytes: number
  readonly nodes: readonly NodeSnapshot[]
}

export interface OrgSnapshot {
  readonly organizationId: string
  readonly atMs: number
  readonly clusters: readonly ClusterSnapshot[]
}

export interface QueryTruth {
  total: number
  failed: number
  sumOfDurationsMillis: number
  affectedRows: number
}

/** Ground truth of one node, exactly as the body printed it. */
export interface NodeTruth {
  ordinal: number
  pod: string
  cpuSecondsTotal: number
  cpuTimestampMs: number
  memoryBytes: number
  heapUsedBytes: number
  heapMaxBytes: number
  ready: number
  /** Sum of the crate_node shard_info sizes the body printed. */
  storageUsedBytes: number
  shards: number
  queries: Record<QueryType, QueryTruth>
  jmxTimestampMs: number
}

export interface OrgMetricsTruth {
  organizationId: string
  /** Time of the snapshot the body was made from (the simulator clock). */
  atMs: number
  clusters: Record<string, { name: string; healthValue: number | null; nodes: NodeTruth[] }>
}

export const HEALTH_VALUES: Readonly<Record<string, number>> = { GREEN: 0, YELLOW: 1, RED: 2, UNREACHABLE: 3 }

export function snapshotCluster(cluster: SimCluster, atMs: number, healthStatus: string): ClusterSnapshot {
  const reachable = healthStatus !== 'UNREACHABLE'
  const nodes = cluster.nodes.map((node): NodeSnapshot => {
    const ts = {
      cadvisor: atMs - node.lags.cadvisor,
      pod: atMs - node.lags.pod,
      jmx: atMs - node.lags.jmx,
      sql: atMs - node.lags.sql
    }
    return {
      ordinal: node.ordinal,
      pod: `crate-data-hot-${cluster.id}-${node.ordinal}`,
      containerIds: node.containerIds,
      weight: node.weight,
      phase: node.phase,
      ts,
      ageS: Math.max(0, (ts.jmx - cluster.createdMs) / 1000),
      cpuSeconds: Math.round(cpuSecondsAt(cluster, node, ts.cadvisor) * 1e6) / 1e6,
      memoryBytes: memoryBytesAt(cluster, node, ts.cadvisor),
      heap: heapPoolsAt(cluster, node, ts.jmx),
      queries: queriesAt(cluster, node, ts.jmx),
      storedBytes: nodeStoredBytesAt(cluster, node, ts.jmx),
      shards: node.shards,
      ready: reachable ? 1 : 0,
      lastUserActivityS: Math.floor((ts.sql - 1000 - node.lags.jmx * 3) / 1000)
    }
  })
  return {
    id: cluster.id,
    name: cluster.name,
    namespace: cluster.namespace,
    healthValue: HEALTH_VALUES[healthStatus] ?? null,
    healthTs: atMs - 1500,
    operatorPod: cluster.operatorPod,
    sidecars: cluster.sidecars,
    heapSizeBytes: cluster.plan.heapSizeBytes,
    nodes
  }
}

export function shardBytes(node: NodeSnapshot, shard: Shard): number {
  return Math.floor(node.storedBytes * shard.weight)
}

export function queryCounters(node: NodeSnapshot, type: QueryType): QueryTruth {
  const mix = QUERY_MIX[type]
  const total = Math.floor(node.queries * mix.share)
  return {
    total,
    failed: Math.floor(total * 0.002),
    sumOfDurationsMillis: Math.floor(total * mix.meanMs),
    affectedRows: Math.floor(total * mix.rowsPerQuery)
  }
}

export function truthOf(snapshot: OrgSnapshot): OrgMetricsTruth {
  const clusters: OrgMetricsTruth['clusters'] = {}
  for (const cluster of snapshot.clusters) {
    clusters[cluster.id] = {
      name: cluster.name,
      healthValue: cluster.healthValue,
      nodes: cluster.nodes.map((node) => {
        const queries = {} as Record<QueryType, QueryTruth>
        for (const type of QUERY_TYPES) queries[type] = queryCounters(node, type)
        return {
          ordinal: node.ordinal,
          pod: node.pod,
          cpuSecondsTotal: node.cpuSeconds,
          cpuTimestampMs: node.ts.cadvisor,
          memoryBytes: node.memoryBytes,
          heapUsedBytes: node.heap.eden + node.heap.old + node.heap.survivor,
          heapMaxBytes: node.heap.max,
          ready: node.ready,
          storageUsedBytes: node.shards.reduce((sum, shard) => sum + shardBytes(node, shard), 0),
          shards: node.shards.length,
          queries,
          jmxTimestampMs: node.ts.jmx
        }
      })
    }
  }
  return { organizationId: snapshot.organizationId, atMs: snapshot.atMs, clusters }
}
