import type { FamilySpec } from './types.js'

/**
 * Every family the collectors expose: the metric contract that dashboards, alerts and users depend on.
 * Names follow cratedb_cloud_<subsystem>_<what>_<unit>; HELP says where a value comes from and how it
 * is refreshed. Adding a family: add it here and to README "Metrics".
 */

const INVENTORY = 'Refreshed by polling the cluster list (inventory collector, default every 60 s).'
const ORG_METRICS =
  'Refreshed by polling GET /api/v2/organizations/{organization_id}/metrics/prometheus/ (org_metrics collector, at most once per 60 s per organization).'

const CLUSTER = ['cluster_id', 'cluster_name'] as const
const NODE = ['cluster_id', 'cluster_name', 'node'] as const
const QUERY = ['cluster_id', 'cluster_name', 'node', 'query_type'] as const

function family(
  name: string,
  type: FamilySpec['type'],
  labelNames: readonly string[],
  help: string
): FamilySpec {
  return Object.freeze({ name, type, labelNames: Object.freeze([...labelNames]), help })
}

export const families = {
  // inventory: GET /api/v2/organizations/, /organizations/{id}/projects/, /organizations/{id}/clusters/
  organizationInfo: family(
    'cratedb_cloud_organization_info',
    'info',
    ['organization_id', 'organization_name'],
    `An organization the API key can see (GET /api/v2/organizations/). ${INVENTORY}`
  ),
  clusterInfo: family(
    'cratedb_cloud_cluster_info',
    'info',
    [
      'cluster_id',
      'cluster_name',
      'organization_id',
      'organization_name',
      'project_id',
      'project_name',
      'region',
      'crate_version',
      'channel',
      'product_name',
      'product_tier'
    ],
    `Cluster metadata, always 1 (cluster JSON: name, crate_version, channel, product_name, product_tier; region from the project). ${INVENTORY}`
  ),
  clusterNodes: family(
    'cratedb_cloud_cluster_nodes',
    'gauge',
    CLUSTER,
    `Configured number of nodes (cluster JSON num_nodes). ${INVENTORY}`
  ),
  clusterHealthStatus: family(
    'cratedb_cloud_cluster_health_status',
    'gauge',
    [...CLUSTER, 'status'],
    `Cluster health as a state set: 1 for the current status (cluster JSON health.status: GREEN, YELLOW, RED, UNKNOWN, UNREACHABLE, SUSPENDED), 0 for the others. ${INVENTORY}`
  ),
  clusterHealthLastSeen: family(
    'cratedb_cloud_cluster_health_last_seen_timestamp_seconds',
    'gauge',
    CLUSTER,
    `When CrateDB Cloud last checked the cluster's health (cluster JSON health.last_seen, read as UTC). ${INVENTORY}`
  ),
  clusterSuspended: family(
    'cratedb_cloud_cluster_suspended',
    'gauge',
    CLUSTER,
    `1 if the cluster is suspended (cluster JSON suspended), else 0. ${INVENTORY}`
  ),
  clusterDeletionProtected: family(
    'cratedb_cloud_cluster_deletion_protected',
    'gauge',
    CLUSTER,
    `1 if deletion protection is on (cluster JSON deletion_protected), else 0. ${INVENTORY}`
  ),
  clusterRunningOperation: family(
    'cratedb_cloud_cluster_running_operation',
    'gauge',
    [...CLUSTER, 'operation'],
    `1 while an asynchronous operation runs on the cluster (cluster JSON health.running_operation, e.g. SCALE, EXPAND_STORAGE, SUSPEND); no sample when none runs. ${INVENTORY}`
  ),
  clusterCpusPerNode: family(
    'cratedb_cloud_cluster_cpus_per_node',
    'gauge',
    CLUSTER,
    `CPU cores per node of the cluster's plan, may be fractional (cluster JSON hardware_specs.cpus_per_node). ${INVENTORY}`
  ),
  clusterMemoryPerNode: family(
    'cratedb_cloud_cluster_memory_per_node_bytes',
    'gauge',
    CLUSTER,
    `Memory per node (cluster JSON hardware_specs.memory_per_node_bytes). ${INVENTORY}`
  ),
  clusterHeapPerNode: family(
    'cratedb_cloud_cluster_heap_per_node_bytes',
    'gauge',
    CLUSTER,
    `JVM heap per node (cluster JSON hardware_specs.heap_size_bytes). ${INVENTORY}`
  ),
  clusterStorageCapacity: family(
    'cratedb_cloud_cluster_storage_capacity_bytes',
    'gauge',
    CLUSTER,
    `Storage capacity of the cluster: hardware_specs.disk_size_per_node_bytes x num_nodes (cluster JSON). ${INVENTORY}`
  ),

  // org_metrics: derived from the organization's Prometheus endpoint, joined with cluster JSON
  clusterCpuUsage: family(
    'cratedb_cloud_cluster_cpu_usage_cores',
    'gauge',
    CLUSTER,
    `CPU cores used by the CrateDB containers of all nodes, from the rate of container_cpu_usage_seconds_total{container="crate"} between two polls, over the samples' own timestamps. ${ORG_METRICS}`
  ),
  clusterCpuUtilization: family(
    'cratedb_cloud_cluster_cpu_utilization_ratio',
    'gauge',
    CLUSTER,
    `Mean CPU utilization of the cluster's nodes, 0..1: cores used / hardware_specs.cpus_per_node. ${ORG_METRICS}`
  ),
  clusterStorageUsed: family(
    'cratedb_cloud_cluster_storage_used_bytes',
    'gauge',
    CLUSTER,
    `Bytes of shards held by all nodes: sum of crate_node{name="shard_info",property="size"} (primaries and replicas; translog and filesystem overhead not included). ${ORG_METRICS}`
  ),
  clusterStorageAvailable: family(
    'cratedb_cloud_cluster_storage_available_bytes',
    'gauge',
    CLUSTER,
    `Storage capacity minus storage used (never below 0). ${ORG_METRICS}`
  ),
  clusterStorageUtilization: family(
    'cratedb_cloud_cluster_storage_utilization_ratio',
    'gauge',
    CLUSTER,
    `Storage used / storage capacity, 0..1 (may exceed 1 if the API reports more than the plan's capacity). ${ORG_METRICS}`
  ),
  clusterQueriesPerSecond: family(
    'cratedb_cloud_cluster_queries_per_second',
    'gauge',
    [...CLUSTER, 'query_type'],
    `Queries per second over all nodes, by query type, from the rate of crate_query_total_count between two polls. ${ORG_METRICS}`
  ),
  clusterQueryMeanDuration: family(
    'cratedb_cloud_cluster_query_mean_duration_seconds',
    'gauge',
    [...CLUSTER, 'query_type'],
    `Mean query duration between two polls, by query type: delta of crate_query_sum_of_durations_millis / delta of crate_query_total_count. No sample when no query ran. ${ORG_METRICS}`
  ),
  clusterReadyNodes: family(
    'cratedb_cloud_cluster_ready_nodes',
    'gauge',
    CLUSTER,
    `Nodes that accept SQL (crate_ready = 1). ${ORG_METRICS}`
  ),
  clusterLastUserActivity: family(
    'cratedb_cloud_cluster_last_user_activity_timestamp_seconds',
    'gauge',
    CLUSTER,
    `When a non-system user last ran a query (cratedb_cluster_last_user_activity). ${ORG_METRICS}`
  ),
  nodeCpuUsage: family(
    'cratedb_cloud_node_cpu_usage_cores',
    'gauge',
    NODE,
    `CPU cores used by the node's CrateDB container, from the rate of container_cpu_usage_seconds_total{container="crate"} between two polls, over the samples' own timestamps. ${ORG_METRICS}`
  ),
  nodeCpuUtilization: family(
    'cratedb_cloud_node_cpu_utilization_ratio',
    'gauge',
    NODE,
    `CPU cores used / hardware_specs.cpus_per_node, 0..1. ${ORG_METRICS}`
  ),
  nodeCpuSeconds: family(
    'cratedb_cloud_node_cpu_seconds_total',
    'counter',
    NODE,
    `CPU seconds used by the node's CrateDB container (container_cpu_usage_seconds_total{container="crate"}). ${ORG_METRICS}`
  ),
  nodeMemoryUsage: family(
    'cratedb_cloud_node_memory_usage_bytes',
    'gauge',
    NODE,
    `Memory of the node's CrateDB container, RSS plus page cache (container_memory_usage_bytes{container="crate"}). ${ORG_METRICS}`
  ),
  nodeMemoryUtilization: family(
    'cratedb_cloud_node_memory_utilization_ratio',
    'gauge',
    NODE,
    `container_memory_usage_bytes{container="crate"} / hardware_specs.memory_per_node_bytes. ${ORG_METRICS}`
  ),
  nodeHeapUsed: family(
    'cratedb_cloud_node_heap_used_bytes',
    'gauge',
    NODE,
    `JVM heap used: sum of jvm_memory_pool_bytes_used over the G1 Eden, Old Gen and Survivor pools. ${ORG_METRICS}`
  ),
  nodeHeapMax: family(
    'cratedb_cloud_node_heap_max_bytes',
    'gauge',
    NODE,
    `JVM heap maximum (jvm_memory_bytes_max{area="heap"}). ${ORG_METRICS}`
  ),
  nodeStorageUsed: family(
    'cratedb_cloud_node_storage_used_bytes',
    'gauge',
    NODE,
    `Bytes of shards held by the node: sum of crate_node{name="shard_info",property="size"} for its pod. ${ORG_METRICS}`
  ),
  nodeStorageCapacity: family(
    'cratedb_cloud_node_storage_capacity_bytes',
    'gauge',
    NODE,
    `Storage capacity of one node (cluster JSON hardware_specs.disk_size_per_node_bytes). ${ORG_METRICS}`
  ),
  nodeStorageAvailable: family(
    'cratedb_cloud_node_storage_available_bytes',
    'gauge',
    NODE,
    `Storage capacity of the node minus the bytes of shards it holds (never below 0). CrateDB applies its disk watermarks to each node. ${ORG_METRICS}`
  ),
  nodeStorageUtilization: family(
    'cratedb_cloud_node_storage_utilization_ratio',
    'gauge',
    NODE,
    `Bytes of shards held by the node / hardware_specs.disk_size_per_node_bytes, 0..1 (CrateDB's disk watermarks: 0.85 low, 0.9 high, 0.95 flood stage). No sample when the capacity is unknown. ${ORG_METRICS}`
  ),
  nodeShards: family(
    'cratedb_cloud_node_shards',
    'gauge',
    NODE,
    `Shards held by the node (count of crate_node{name="shard_info",property="size"} rows). ${ORG_METRICS}`
  ),
  nodeReady: family(
    'cratedb_cloud_node_ready',
    'gauge',
    NODE,
    `1 if the node accepts SQL (crate_ready), else 0. ${ORG_METRICS}`
  ),
  nodeQueries: family(
    'cratedb_cloud_node_queries_total',
    'counter',
    QUERY,
    `Queries run on the node, by query type (crate_query_total_count). ${ORG_METRICS}`
  ),
  nodeQueryFailures: family(
    'cratedb_cloud_node_query_failures_total',
    'counter',
    QUERY,
    `Queries that failed on the node, by query type (crate_query_failed_count). ${ORG_METRICS}`
  ),
  nodeQueryDuration: family(
    'cratedb_cloud_node_query_duration_seconds_total',
    'counter',
    QUERY,
    `Total time spent in queries on the node, by query type (crate_query_sum_of_durations_millis / 1000). ${ORG_METRICS}`
  ),
  orgMetricsNewestSample: family(
    'cratedb_cloud_org_metrics_newest_sample_timestamp_seconds',
    'gauge',
    ['organization_id'],
    `Timestamp of the newest sample in the last organization metrics body read; time() minus this is the age of the upstream data. ${ORG_METRICS}`
  ),
  orgMetricsBodyBytes: family(
    'cratedb_cloud_org_metrics_body_bytes',
    'gauge',
    ['organization_id'],
    `Size of the last organization metrics body read. ${ORG_METRICS}`
  ),
  orgMetricsDroppedNodes: family(
    'cratedb_cloud_org_metrics_dropped_nodes',
    'gauge',
    ['organization_id', 'reason'],
    `Crate pods of the last organization metrics body that were not kept: reason unknown_cluster (not in the inventory) or limit (over collectors.org_metrics.max_nodes or max_nodes_per_cluster). ${ORG_METRICS}`
  ),
  orgMetricsInvalidLines: family(
    'cratedb_cloud_org_metrics_invalid_lines',
    'gauge',
    ['organization_id'],
    `Lines of the last organization metrics body that were not valid Prometheus text and were skipped. ${ORG_METRICS}`
  ),
  orgMetricsReservedBodies: family(
    'cratedb_cloud_org_metrics_reserved_bodies_total',
    'counter',
    ['organization_id'],
    `Organization metrics bodies whose newest sample was not newer than the previous body's: the API served the same data again (inside its rate-limit window, or before its own data refreshed). No rate is computed from them. ${ORG_METRICS}`
  ),

  // optional collectors
  quotaLimit: family(
    'cratedb_cloud_organization_quota_limit',
    'gauge',
    ['organization_id', 'quota'],
    'Quota limit of the organization (GET /api/v2/organizations/{organization_id}/quotas/ field quota). Refreshed by polling (quotas collector, default every 300 s).'
  ),
  quotaUsage: family(
    'cratedb_cloud_organization_quota_usage',
    'gauge',
    ['organization_id', 'quota'],
    'Current value counted against the quota (GET /api/v2/organizations/{organization_id}/quotas/ field current_value). Refreshed by polling (quotas collector, default every 300 s).'
  ),
  consumptionCost: family(
    'cratedb_cloud_organization_consumption_cost',
    'gauge',
    ['organization_id', 'kind', 'product_name'],
    'Cost so far this month, in the billing currency (GET /api/v2/organizations/{organization_id}/consumption/current-month/, field cost; kind is compute or storage). Refreshed by polling (consumption collector, default every 3600 s).'
  ),
  consumptionCredits: family(
    'cratedb_cloud_organization_consumption_credits',
    'gauge',
    ['organization_id', 'kind', 'product_name'],
    'Credits used so far this month (GET /api/v2/organizations/{organization_id}/consumption/current-month/, field credits). Refreshed by polling (consumption collector, default every 3600 s).'
  )
} as const satisfies Record<string, FamilySpec>

export type FamilyKey = keyof typeof families
