import * as cadvisor from './families-cadvisor.js'
import * as crate from './families-crate.js'
import * as jvm from './families-jvm.js'
import { escapeLabelValue, formatValue } from './format.js'
import { TextRows, type Rows } from './rows.js'
import type { ClusterSnapshot, OrgSnapshot } from './snapshot.js'

/**
 * The body of GET /api/v2/organizations/{org}/metrics/prometheus/ as the real one looks: no HELP/TYPE,
 * families sorted by name (each family holds every cluster), label names sorted, float values, millisecond
 * timestamps, blank lines at the end. Produced in chunks so a body of hundreds of MB is never held whole.
 */

type FamilyRows = (cluster: ClusterSnapshot, out: Rows) => void

function healthRows(c: ClusterSnapshot, out: Rows): void {
  if (c.healthValue === null) return
  const hash = c.operatorPod.split('-')[2] ?? ''
  out.push(
    `cloud_clusters_health{cluster_id="${c.id}",cluster_name="${escapeLabelValue(c.name)}",exported_namespace="${c.namespace}",helm_sh_chart="crate-operator-2.60.0",namespace="cloud-app",pod_name="${c.operatorPod}",pod_template_hash="${hash}"} ${formatValue(c.healthValue)} ${c.healthTs}`
  )
}

/** Kept in the order of their names (a test checks it). */
export const FAMILIES: readonly (readonly [string, FamilyRows])[] = [
  ['cloud_clusters_health', healthRows],
  ['container_cpu_usage_seconds_total', cadvisor.cpuRows],
  ['container_fs_reads_bytes_total', cadvisor.fsReadRows],
  ['container_fs_writes_bytes_total', cadvisor.fsWriteRows],
  ['container_memory_usage_bytes', cadvisor.memoryRows],
  ['container_network_receive_bytes_total', cadvisor.networkReceiveRows],
  ['container_network_transmit_bytes_total', cadvisor.networkTransmitRows],
  ['crate_circuitbreakers', crate.circuitBreakerRows],
  ['crate_cluster_state_version', crate.clusterStateVersionRows],
  ['crate_connections', crate.connectionRows],
  ['crate_is_master', crate.isMasterRows],
  ['crate_node', crate.nodeRows],
  ['crate_query_affected_row_count', crate.queryAffectedRows],
  ['crate_query_failed_count', crate.queryFailedRows],
  ['crate_query_sum_of_durations_millis', crate.queryDurationRows],
  ['crate_query_total_count', crate.queryTotalRows],
  ['crate_ready', crate.readyRows],
  ['crate_roles', crate.rolesRows],
  ['crate_threadpools', crate.threadpoolRows],
  ['cratedb_cluster_last_user_activity', crate.lastUserActivityRows],
  ['cratedb_max_shards_per_node', crate.maxShardsRows],
  ['cratedb_num_large_translogs', crate.largeTranslogRows],
  ['jvm_buffer_pool_used_bytes', jvm.bufferPoolRows],
  ['jvm_gc_collection_seconds_count', jvm.gcCountRows],
  ['jvm_gc_collection_seconds_sum', jvm.gcSumRows],
  ['jvm_memory_bytes_max', jvm.memoryMaxRows],
  ['jvm_memory_pool_bytes_used', jvm.memoryPoolRows],
  ['up', crate.upRows]
]

const CHUNK_CHARS = 64 * 1024
const TRAILER = '\n\n\n\n\n\n'

/** Yields the body in chunks of about 64 KB. */
export function* renderChunks(snapshot: OrgSnapshot): Generator<string, void, undefined> {
  const rows = new TextRows()
  for (const [, family] of FAMILIES) {
    for (const cluster of snapshot.clusters) {
      family(cluster, rows)
      if (rows.text.length >= CHUNK_CHARS) yield rows.take()
    }
  }
  yield rows.take() + TRAILER
}
