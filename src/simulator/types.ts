import type { Plan } from './plans.js'

export type SimHealth = 'GREEN' | 'YELLOW' | 'RED' | 'UNREACHABLE'
export type OperationType = 'EXPAND_STORAGE' | 'SCALE' | 'SUSPEND' | 'UPGRADE' | 'CREATE'
export type OperationStatus = 'REGISTERED' | 'SENT' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED'

export const QUERY_TYPES = [
  'Copy',
  'DDL',
  'Delete',
  'Insert',
  'Management',
  'Select',
  'Undefined',
  'Update'
] as const
export type QueryType = (typeof QUERY_TYPES)[number]

export interface SimOrganization {
  readonly id: string
  readonly name: string
  readonly email: string
  readonly planType: number
  readonly createdMs: number
}

export interface SimProject {
  readonly id: string
  readonly name: string
  readonly organizationId: string
  readonly region: string
  readonly createdMs: number
}

/** A table of a simulated cluster: its shards, replicas and share of the stored bytes. */
export interface TableSpec {
  readonly schema: string
  readonly table: string
  /** null for a table that is not partitioned. */
  readonly partitions: readonly string[] | null
  readonly shards: number
  readonly replicas: number
  readonly weight: number
}

export interface Shard {
  readonly schema: string
  readonly table: string
  readonly partitionIdent: string | null
  readonly primary: boolean
  /** Share of the node's storage; the weights of a node sum to 1. */
  readonly weight: number
}

/** One CrateDB node (pod crate-data-hot-<cluster>-<ordinal>) and the constants of its simulated behaviour. */
export interface SimNode {
  readonly ordinal: number
  readonly key: string
  /** Share of the cluster's CPU load and queries (around 1). */
  readonly weight: number
  readonly phase: number
  /** How much older than the response each source's samples are (ms). */
  readonly lags: {
    readonly cadvisor: number
    readonly pod: number
    readonly jmx: number
    readonly sql: number
  }
  readonly containerIds: {
    readonly crate: string
    readonly sql: string
    readonly pause: string
    readonly podLevel: string
  }
  shards: readonly Shard[]
  /** This node's share of the cluster's stored bytes. */
  storageShare: number
  /** CPU seconds accumulated before the current load segment began. */
  cpuBase: number
  cpuSegmentStartS: number
  cpuSegmentLoad: number
}

export interface SimOperation {
  readonly id: string
  readonly type: OperationType
  readonly clusterId: string
  readonly startedMs: number
  /** Time from REGISTERED to the final status. */
  readonly durationMs: number
  readonly fails: boolean
  readonly nonSensitiveData: Record<string, unknown>
  /** Applied once, on SUCCEEDED. */
  readonly apply: (cluster: SimCluster) => void
  finished: boolean
}

export interface SimCluster {
  readonly id: string
  name: string
  readonly projectId: string
  readonly organizationId: string
  /** Kubernetes namespace label: a UUID that differs from the cluster id. */
  readonly namespace: string
  plan: Plan
  productUnit: number
  crateVersion: string
  readonly channel: string
  readonly subscriptionId: string
  readonly createdMs: number
  modifiedMs: number
  suspended: boolean
  deletionProtected: boolean
  baseHealth: SimHealth
  /** For UNREACHABLE: when it was last seen. */
  lastSeenMs: number | null
  diskSizePerNodeBytes: number
  /** Cluster-wide bytes held at storageT0Ms, and its growth. */
  storageUsedAtT0: number
  storageT0Ms: number
  storageGrowthBytesPerSecond: number
  /** CPU load multiplier of this cluster (the global load times this). */
  loadFactor: number
  /** Queries per second over the whole cluster. */
  qps: number
  nodes: SimNode[]
  readonly tables: readonly TableSpec[]
  readonly operations: SimOperation[]
  readonly operatorPod: string
  readonly sidecars: {
    readonly backupPod: string
    readonly grandCentralPod: string
    readonly ids: readonly string[]
  }
}
