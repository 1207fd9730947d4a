import { QUERY_TYPES } from '../types.js'
import { formatValue as f, grow } from './format.js'
import { queryCounters, shardBytes, type ClusterSnapshot, type NodeSnapshot } from './snapshot.js'

/** CrateDB JMX exporter, JVM and SQL exporter families (label `pod_name`), one block per node. */

import type { Rows } from './rows.js'

const BREAKERS = [
  'fielddata',
  'in_flight_requests',
  'jobs_log',
  'operations_log',
  'parent',
  'query',
  'request'
]
const POOLS = [
  'fetch_shard_started',
  'fetch_shard_store',
  'flush',
  'force_merge',
  'generic',
  'listener',
  'logical_replication',
  'management',
  'refresh',
  'search',
  'snapshot',
  'write'
]
const PROTOCOLS = ['http', 'psql', 'transport']

function id(c: ClusterSnapshot, n: NodeSnapshot): string {
  return `namespace="${c.namespace}",pod_name="${n.pod}"`
}

export function circuitBreakerRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) {
    const labels = id(c, n)
    const heap = n.heap.max
    const used = n.heap.eden + n.heap.old + n.heap.survivor
    const limits: Record<string, [number, number]> = {
      fielddata: [-1, -1],
      in_flight_requests: [heap, 0],
      jobs_log: [Math.floor(heap * 0.05), Math.floor(heap * 0.021)],
      operations_log: [Math.floor(heap * 0.05), Math.floor(heap * 0.012)],
      parent: [Math.floor(heap * 0.95), used],
      query: [Math.floor(heap * 0.6), 0],
      request: [Math.floor(heap * 0.6), 0]
    }
    for (const breaker of BREAKERS) {
      const [limit, usedBytes] = limits[breaker] ?? [0, 0]
      const p = `crate_circuitbreakers{name="${breaker}",${labels},property=`
      out.push(`${p}"limit"} ${f(limit)} ${n.ts.jmx}`)
      out.push(`${p}"overhead"} ${f(breaker === 'fielddata' ? 0 : 1)} ${n.ts.jmx}`)
      out.push(`${p}"trippedCount"} ${f(0)} ${n.ts.jmx}`)
      out.push(`${p}"used"} ${f(usedBytes)} ${n.ts.jmx}`)
    }
  }
}

export function clusterStateVersionRows(c: ClusterSnapshot, out: Rows): void {
  const version = grow(c.nodes[0]?.ageS ?? 0, 1, 0.05, 31)
  for (const n of c.nodes) out.push(`crate_cluster_state_version{${id(c, n)}} ${f(version)} ${n.ts.jmx}`)
}

export function connectionRows(c: ClusterSnapshot, out: Rows): void {
  const properties: [string, number][] = [
    ['bytesreceived', 600],
    ['bytessent', 500],
    ['messagesreceived', 2],
    ['messagessent', 2],
    ['open', 0],
    ['total', 0.002]
  ]
  for (const n of c.nodes) {
    const labels = id(c, n)
    for (const [property, rate] of properties)
      PROTOCOLS.forEach((protocol, index) => {
        const value =
          property === 'open'
            ? 4 + index * 8 + n.ordinal
            : grow(n.ageS, n.weight, rate * (index + 1), index + 37)
        out.push(
          `crate_connections{${labels},property="${property}",protocol="${protocol}"} ${f(value)} ${n.ts.jmx}`
        )
      })
  }
}

export function isMasterRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) out.push(`crate_is_master{${id(c, n)}} ${f(n.ordinal === 0 ? 1 : 0)} ${n.ts.jmx}`)
}

/** shard_info rows (one per shard copy: several copies of a table on a node give repeated series, as in the real body). */
export function nodeRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) {
    for (const shard of n.shards) {
      const partition = shard.partitionIdent === null ? '' : `partition_ident="${shard.partitionIdent}",`
      out.push(
        `crate_node{name="shard_info",namespace="${c.namespace}",${partition}pod_name="${n.pod}",primary="${shard.primary}",property="size",schema="${shard.schema}",table="${shard.table}"} ${f(shardBytes(n, shard))} ${n.ts.jmx}`
      )
    }
  }
  for (const n of c.nodes) {
    const primaries = n.shards.filter((shard) => shard.primary).length
    const p = `crate_node{name="shard_stats",${id(c, n)},property=`
    out.push(`${p}"primaries"} ${f(primaries)} ${n.ts.jmx}`)
    out.push(`${p}"replicas"} ${f(n.shards.length - primaries)} ${n.ts.jmx}`)
    out.push(`${p}"total"} ${f(n.shards.length)} ${n.ts.jmx}`)
    out.push(`${p}"unassigned"} ${f(0)} ${n.ts.jmx}`)
  }
}

function queryRows(family: string, pick: (counters: ReturnType<typeof queryCounters>) => number) {
  return (c: ClusterSnapshot, out: Rows): void => {
    for (const n of c.nodes)
      for (const type of QUERY_TYPES)
        out.push(`${family}{${id(c, n)},query="${type}"} ${f(pick(queryCounters(n, type)))} ${n.ts.jmx}`)
  }
}

export const queryAffectedRows = queryRows('crate_query_affected_row_count', (q) => q.affectedRows)
export const queryFailedRows = queryRows('crate_query_failed_count', (q) => q.failed)
export const queryDurationRows = queryRows(
  'crate_query_sum_of_durations_millis',
  (q) => q.sumOfDurationsMillis
)
export const queryTotalRows = queryRows('crate_query_total_count', (q) => q.total)

export function readyRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) out.push(`crate_ready{${id(c, n)}} ${f(n.ready)} ${n.ts.jmx}`)
}

export function rolesRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes)
    out.push(`crate_roles{is_data="true",is_master_eligible="true",${id(c, n)}} ${f(1)} ${n.ts.jmx}`)
}

export function threadpoolRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) {
    const labels = id(c, n)
    POOLS.forEach((pool, index) => {
      const size = pool === 'generic' ? 14 : pool === 'search' ? 4 : index % 3 === 0 ? 0 : 1
      const completed = size === 0 ? 0 : grow(n.ageS, n.weight, 0.05 * (index + 1), index + 41)
      const p = `crate_threadpools{name="${pool}",${labels},property=`
      out.push(`${p}"active"} ${f(0)} ${n.ts.jmx}`)
      out.push(`${p}"completed"} ${f(completed)} ${n.ts.jmx}`)
      out.push(`${p}"largestPoolSize"} ${f(size)} ${n.ts.jmx}`)
      out.push(`${p}"poolSize"} ${f(size)} ${n.ts.jmx}`)
      out.push(`${p}"queueSize"} ${f(0)} ${n.ts.jmx}`)
      out.push(`${p}"rejected"} ${f(0)} ${n.ts.jmx}`)
    })
  }
}

export function lastUserActivityRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes)
    out.push(`cratedb_cluster_last_user_activity{${id(c, n)}} ${f(n.lastUserActivityS)} ${n.ts.sql}`)
}

export function maxShardsRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) out.push(`cratedb_max_shards_per_node{${id(c, n)}} ${f(1000)} ${n.ts.sql}`)
}

export function largeTranslogRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) out.push(`cratedb_num_large_translogs{${id(c, n)}} ${f(0)} ${n.ts.sql}`)
}

export function upRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) out.push(`up{${id(c, n)}} ${f(n.ready)} ${n.ts.sql}`)
}
