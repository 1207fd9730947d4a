import type { ApiErrorReason } from './errors.js'
import type {
  Cluster,
  ClusterOperation,
  CurrentConsumption,
  CurrentUser,
  Organization,
  Project,
  Quota
} from './types.js'

/** Receives a streamed response body; a fresh sink is made for every attempt, so a retry starts clean. */
export interface TextSink<T> {
  write(chunk: Buffer): void
  /** Called once the whole body has arrived; returns the result of the attempt. */
  end(): T
}

export interface CredentialStatus {
  readonly name: string
  /** The key the client sends now. */
  readonly active: boolean
  /** null until the key has been used. */
  readonly lastOutcome: 'ok' | 'auth_failed' | null
  readonly lastFailureAt: number | null
}

/** Totals since start, for the status page and the API-budget panels. */
export interface ApiUsage {
  readonly requests: number
  readonly errors: Readonly<Partial<Record<ApiErrorReason, number>>>
}

/**
 * The CrateDB Cloud API as the collectors see it. Every method validates the response at the edge and
 * throws CloudApiError (src/cloud/errors.ts) on failure. `signal` is the collector's deadline: retries
 * stay inside it.
 */
export interface CloudApi {
  currentUser(signal: AbortSignal): Promise<CurrentUser>
  organizations(signal: AbortSignal): Promise<Organization[]>
  organizationProjects(organizationId: string, signal: AbortSignal): Promise<Project[]>
  organizationClusters(organizationId: string, signal: AbortSignal): Promise<Cluster[]>
  quotas(organizationId: string, signal: AbortSignal): Promise<Quota[]>
  currentConsumption(organizationId: string, signal: AbortSignal): Promise<CurrentConsumption>
  /**
   * GET /api/v2/organizations/{organization_id}/metrics/prometheus/, streamed chunk by chunk into the
   * sink (the body is never held whole). Resolves to the sink's result, or null on 204 (no data).
   */
  orgMetrics<T>(organizationId: string, signal: AbortSignal, createSink: () => TextSink<T>): Promise<T | null>
  credentials(): readonly CredentialStatus[]
  usage(): ApiUsage
  close(): Promise<void>
}

/**
 * The calls of the storage autopilot: one cluster, its operations, and the storage expansion. A PUT is
 * sent once with the key in use, never retried and never handed to another key: a 403 means this key
 * may read but not change the cluster (reason `client`, status 403), not that the key is broken.
 */
export interface ClusterManagementApi {
  cluster(clusterId: string, signal: AbortSignal): Promise<Cluster>
  clusterOperations(clusterId: string, signal: AbortSignal): Promise<ClusterOperation[]>
  /** PUT /api/v2/clusters/{cluster_id}/storage/ with {"disk_size_per_node_bytes": bytes}. */
  expandStorage(clusterId: string, diskSizePerNodeBytes: number, signal: AbortSignal): Promise<void>
}
