/**
 * Numbers the dashboards share with prometheus/rules/cratedb-cloud-alerts.yml. A unit test reads the rule
 * file and fails when the two disagree, so a threshold is changed in both places or in neither.
 */
export const THRESHOLDS = {
  /** CrateDBCloudStorageAlmostFull, severity warning / critical. */
  storageWarningRatio: 0.8,
  storageCriticalRatio: 0.9,
  /**
   * CrateDBCloudNodeStorageHigh, severity warning / critical: CrateDB's default low and high disk
   * watermarks, which apply to each node.
   */
  nodeStorageWarningRatio: 0.85,
  nodeStorageCriticalRatio: 0.9,
  /** CrateDBCloudStorageFillingUp: predicted full within 7 days (warning) / 24 hours (critical). */
  storageFullWarningSeconds: 7 * 24 * 3600,
  storageFullCriticalSeconds: 24 * 3600,
  /** CrateDBCloudNodeFloodStageForecast: a node at 95 % within 6 hours (critical) / 24 hours (warning). */
  floodStageCriticalSeconds: 6 * 3600,
  floodStageWarningSeconds: 24 * 3600,
  /** CrateDBCloudCpuHigh. */
  cpuHighRatio: 0.9,
  /** CrateDBCloudExporterDataStale, for the inventory and org_metrics collectors. */
  dataStaleSeconds: 600,
  /** The organization metrics endpoint allows one request per minute per organization. */
  orgMetricsRequestsPerMinute: 1
} as const

/** Window of the storage trend the dashboards show (the 24-hour alert uses the same window). */
export const STORAGE_TREND_WINDOW = '6h'

/**
 * cratedb_cloud_cluster_health_status is a state set; dashboards fold it into one number per cluster
 * so that a state timeline shows one row per cluster. 0 means no status is set.
 */
export const HEALTH_CODES = [
  { status: 'GREEN', code: 1, color: 'green' },
  { status: 'YELLOW', code: 2, color: 'yellow' },
  { status: 'RED', code: 3, color: 'red' },
  { status: 'UNREACHABLE', code: 4, color: 'purple' },
  { status: 'UNKNOWN', code: 5, color: 'text' },
  { status: 'SUSPENDED', code: 6, color: 'blue' }
] as const
