/**
 * Domain types of the CrateDB Cloud API objects the exporter reads, after validation at the edge
 * (src/cloud/schemas.ts). Only the fields the exporter uses; unknown fields are dropped.
 * Field names follow the API (snake_case) so that a reader can map them to the OpenAPI document.
 */

export type HealthStatus = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN' | 'UNREACHABLE' | 'SUSPENDED'

export const HEALTH_STATUSES: readonly HealthStatus[] = [
  'GREEN',
  'YELLOW',
  'RED',
  'UNKNOWN',
  'UNREACHABLE',
  'SUSPENDED'
]

export interface CurrentUser {
  email: string
  username: string | null
  organization_roles: { organization_id: string; role_fqn: string }[]
}

export interface Organization {
  id: string
  name: string
  plan_type: number | null
}

export interface Project {
  id: string
  name: string
  organization_id: string
  region: string | null
}

export interface HardwareSpecs {
  cpus_per_node: number | null
  disk_size_per_node_bytes: number | null
  disk_type: string | null
  disks_per_node: number | null
  heap_size_bytes: number | null
  memory_per_node_bytes: number | null
}

export interface ClusterHealth {
  status: HealthStatus
  /** Empty string when no operation runs (as the API sends it). */
  running_operation: string
  /** Naive ISO timestamp (UTC) or null. */
  last_seen: string | null
}

export interface Cluster {
  id: string
  name: string
  project_id: string
  crate_version: string | null
  channel: string | null
  product_name: string | null
  product_tier: string | null
  product_unit: number | null
  num_nodes: number
  suspended: boolean
  deletion_protected: boolean | null
  hardware_specs: HardwareSpecs | null
  health: ClusterHealth
  last_async_operation: { id: string; status: string; type: string } | null
  /** Whether the storage can be expanded (PUT .../storage/); null when the API does not say. */
  allow_custom_storage?: boolean | null
}

export interface Quota {
  code: string
  current_value: number
  quota: number
}

export interface ConsumptionTotals {
  cost: number | null
  credits: number | null
  total: number | null
}

export interface CurrentConsumption {
  compute: { product_name: string; consumption: ConsumptionTotals }[]
  storage: ConsumptionTotals | null
}

/** ClusterAsyncOperation (GET /api/v2/clusters/{cluster_id}/operations/), the fields the autopilot reads. */
export interface ClusterOperation {
  id: string
  /** EXPAND_STORAGE, SCALE, ... (the same names as health.running_operation). */
  type: string
  /** REGISTERED, SENT, IN_PROGRESS, SUCCEEDED, FAILED. */
  status: string
  /** dc.created: ISO timestamp, or null. */
  created: string | null
}
