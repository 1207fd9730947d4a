import type { AutopilotStatus } from '../autopilot/autopilot.js'
import type { ApiErrorReason } from '../cloud/errors.js'
import type { CredentialStatus } from '../cloud/api.js'
import type { ExpositionBody } from '../metrics/body.js'

/** One rendering of everything the exporter exposes, made once per collection and served as is. */
export interface Exposition {
  /** Prometheus text format 0.0.4. */
  readonly text: ExpositionBody
  /** OpenMetrics 1.0.0, ending in "# EOF". */
  readonly openMetrics: ExpositionBody
  /** When this rendering was made (ms since epoch). */
  readonly renderedAt: number
  /** Increases by one with every rendering. */
  readonly generation: number
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
  readonly lastErrorReason: ApiErrorReason | 'internal' | null
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

export interface StatusReport {
  readonly version: string
  readonly startedAt: number
  readonly now: number
  readonly ready: boolean
  /** Why not ready, or why degraded; null when all is well. */
  readonly problem: string | null
  readonly apiUrl: string
  readonly organizations: readonly { readonly id: string; readonly name: string }[]
  readonly clusters: readonly ClusterStatus[]
  readonly collectors: readonly CollectorStatus[]
  readonly api: {
    readonly requests: number
    readonly errors: Readonly<Partial<Record<ApiErrorReason, number>>>
    readonly credentials: readonly CredentialStatus[]
  }
  /** Present when the storage autopilot is configured. */
  readonly autopilot?: AutopilotStatus
}

/** What the HTTP server needs from the rest of the exporter. */
export interface ExporterView {
  /** The latest rendering; before the first collection, one with only the exporter's own metrics. */
  exposition(): Exposition
  status(): StatusReport
  /** true once the first complete collection has been published. */
  ready(): boolean
  /** false when a poll loop has died (it should never). */
  alive(): boolean
}
