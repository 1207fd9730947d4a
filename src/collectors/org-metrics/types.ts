/**
 * What the exporter keeps of one organization metrics body (GET .../metrics/prometheus/): only the
 * rows of CrateDB nodes (container="crate" cAdvisor rows, pod_name series of crate-* pods) and the
 * cluster-name map. Produced by the streaming reader in ./reader.ts.
 */

export interface TimedValue {
  readonly value: number
  /** The sample's own timestamp (ms since epoch), as sent by the API. */
  readonly timestampMs: number
}

export interface QueryCounters {
  total?: TimedValue
  failed?: TimedValue
  durationMillis?: TimedValue
}

export interface NodeReading {
  readonly clusterId: string
  /** Stable readable node name from the pod name: "data-hot-0", "master-1", ... */
  readonly node: string
  cpuSecondsTotal?: TimedValue
  memoryUsageBytes?: number
  heapUsedBytes?: number
  heapMaxBytes?: number
  /** Sum of crate_node{name="shard_info",property="size"}; 0 when the node holds no shard. */
  storageUsedBytes: number
  shards: number
  ready?: number
  lastUserActivitySeconds?: number
  /** By query type (crate_query_* `query` label: Select, Insert, ...). */
  readonly queries: Map<string, QueryCounters>
}

export interface OrgMetricsReading {
  /** Keyed by `${clusterId}/${node}`. */
  readonly nodes: Map<string, NodeReading>
  /** cluster_id -> cluster_name and health value (0 GREEN .. 3 UNREACHABLE) from cloud_clusters_health. */
  readonly clusterHealth: Map<string, { name: string; value: number }>
  /** Newest and oldest sample timestamps (ms) among the rows kept; null when none. */
  newestSampleMs: number | null
  oldestSampleMs: number | null
  bytes: number
  lines: number
  /** Lines that were not valid Prometheus text; they are skipped. */
  invalidLines: number
  /** The first invalid line's number and what is wrong with it. */
  firstInvalid: { line: number; message: string } | null
  /** The body's last line has no line feed: the body was cut short (the format ends every line with one). */
  endsInsideLine: boolean
  /**
   * Crate pods not kept: of clusters the inventory does not list, and over the node limits. Counted once
   * per pod, or once per row for pods seen after the reader stopped remembering new pod names.
   */
  readonly droppedNodes: { unknownCluster: number; overLimit: number }
}

/** A reading of an empty body: the start of every read. */
export function emptyOrgMetricsReading(): OrgMetricsReading {
  return {
    nodes: new Map(),
    clusterHealth: new Map(),
    newestSampleMs: null,
    oldestSampleMs: null,
    bytes: 0,
    lines: 0,
    invalidLines: 0,
    firstInvalid: null,
    endsInsideLine: false,
    droppedNodes: { unknownCluster: 0, overLimit: 0 }
  }
}
