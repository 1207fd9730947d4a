/**
 * What the HTTP server sees of the engine. These types stand alone (the error reasons are plain strings
 * here), so that the server depends on neither the API client nor the collectors.
 */
import type { Exposition, SelfExposition } from '../metrics/types.js'

export type { Exposition }

/** Why a collection or an API call failed: an ApiErrorReason of the client, or 'internal'. */
export type ErrorReason = string

/** One configured API key, as the status page shows it (never the key or the secret). */
export interface CredentialView {
  readonly name: string
  /** The key the client sends now. */
  readonly active: boolean
  /** null until the key has been used. */
  readonly lastOutcome: 'ok' | 'auth_failed' | null
  readonly lastFailureAt: number | null
}

export interface CollectorStatus {
  readonly collector: string
  /** '' for collectors that are not per organization. */
  readonly organizationId: string
  readonly intervalSeconds: number
  readonly lastRunAt: number | null
  readonly lastSuccessAt: number | null
  readonly lastDurationSeconds: number | null
  readonly success: boolean | null
  readonly lastErrorReason: ErrorReason | null
  /** CCE_API_<REASON> of the last failure; null when it succeeded or failed inside the exporter. */
  readonly lastErrorCode: string | null
  readonly lastErrorMessage: string | null
  readonly nextRunAt: number | null
  /** Whether its data has been withdrawn for being older than the staleness limit. */
  readonly stale: boolean
}

export interface ClusterStatus {
  readonly id: string
  readonly name: string
  readonly organizationId: string
  readonly organizationName: string
  readonly projectName: string
  readonly health: string
  readonly suspended: boolean
  readonly numNodes: number
  readonly runningOperation: string
  readonly storageUtilization: number | null
  readonly cpuUtilization: number | null
}

export interface OrganizationStatus {
  readonly id: string
  readonly name: string
  /**
   * Crate pods of the last organization metrics body that were not kept, by the reason label of
   * cratedb_cloud_org_metrics_dropped_nodes (unknown_cluster, limit); null before a body was read.
   */
  readonly orgMetricsDroppedNodes: Readonly<Record<string, number>> | null
}

export interface StatusReport {
  readonly version: string
  readonly startedAt: number
  readonly now: number
  readonly ready: boolean
  /** Why not ready, or why degraded; null when all is well. */
  readonly problem: string | null
  readonly apiUrl: string
  /** This exporter's share of the organizations (total 1: all of them). */
  readonly shard: { readonly ordinal: number; readonly total: number }
  readonly organizations: readonly OrganizationStatus[]
  readonly clusters: readonly ClusterStatus[]
  readonly collectors: readonly CollectorStatus[]
  readonly api: {
    readonly requests: number
    readonly errors: Readonly<Partial<Record<ErrorReason, number>>>
    readonly credentials: readonly CredentialView[]
  }
  /** Present when the storage autopilot is configured. */
  readonly autopilot?: AutopilotStatus
}

/** A cluster as a scrape target of its own (/sd), with the names a relabeling may want. */
export interface ClusterTarget {
  readonly clusterId: string
  readonly clusterName: string
  readonly organizationId: string
  readonly organizationName: string
  readonly projectId: string
  readonly projectName: string
  readonly region: string
  readonly productName: string
  readonly productTier: string
}

/** What /probe serves for one cluster id: its series, or why there are none. */
export type ProbeLookup =
  | {
      readonly found: true
      readonly exposition: Exposition
      /**
       * The oldest last success (ms since epoch) among the collectors that feed the cluster's series
       * (the inventory and its organization's org_metrics); null before any of them succeeded.
       */
      readonly dataTimestamp: number | null
    }
  | { readonly found: false; readonly reason: string }

/** What the HTTP server needs from the rest of the exporter. */
export interface ExporterView {
  /** The latest rendering of the collectors' families; before the first collection, an empty one. */
  exposition(): Exposition
  /** The exporter's own metrics as they are now, served after the rendering; OpenMetrics ends in "# EOF". */
  selfMetrics(format: 'text' | 'openmetrics'): Promise<SelfExposition>
  status(): StatusReport
  /** true once the first complete collection has been published. */
  ready(): boolean
  /** false when a poll loop has died (it should never). */
  alive(): boolean
  /** Every cluster this exporter polls (after filters and sharding), for /sd. */
  targets(): readonly ClusterTarget[]
  /** The latest rendering and the data time of one cluster, for /probe; never an API call. */
  probe(clusterId: string): ProbeLookup
}

/** What the storage autopilot (src/autopilot/) shows on the status page. */
export interface AutopilotAction {
  readonly at: number
  readonly clusterId: string
  readonly clusterName: string
  readonly outcome: 'dry_run' | 'requested' | 'succeeded' | 'failed' | 'refused' | 'skipped'
  readonly fromBytes: number | null
  readonly toBytes: number | null
  readonly reason: string
}

export interface AutopilotClusterStatus {
  readonly id: string
  readonly name: string
  readonly organizationName: string
  readonly fullestNode: string | null
  readonly fullestUtilization: number | null
  readonly floodStageInSeconds: number | null
  readonly diskSizePerNodeBytes: number | null
  /** idle: no trigger met; skip: a need not acted on; expand: acting or would act; following: an operation. */
  readonly state: 'idle' | 'skip' | 'expand' | 'following'
  readonly reason: string
}

export interface AutopilotStatus {
  readonly mode: 'dry_run' | 'apply'
  readonly evaluatedAt: number | null
  readonly clusters: readonly AutopilotClusterStatus[]
  readonly recent: readonly AutopilotAction[]
}
