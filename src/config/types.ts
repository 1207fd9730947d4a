import type { LogFormat, LogLevel } from '../logger.js'
import type { CollectorName } from '../collectors/names.js'

/** A secret given inline (env var, YAML) or as a file that is re-read when it changes. */
export type SecretSource = { readonly value: string } | { readonly file: string }

export interface CredentialConfig {
  /** Shown in metrics, logs and the status page; from config, or "key-<position>" (1-based). */
  readonly name: string
  readonly key: SecretSource
  readonly secret: SecretSource
}

export interface CollectorConfig {
  readonly enabled: boolean
  readonly intervalSeconds: number
  /** Deadline of one run, retries included. */
  readonly timeoutSeconds: number
}

export interface NameFilter {
  /** Regular expressions (anchored); empty means everything. Matched against names and ids. */
  readonly include: readonly string[]
  readonly exclude: readonly string[]
}

// Declared by the logger, which the simulator shares and which must not depend on the configuration.
export type { LogFormat, LogLevel } from '../logger.js'

export interface Config {
  readonly web: {
    /** host:port, e.g. ":9863" or "127.0.0.1:9863". */
    readonly listenAddress: string
    readonly telemetryPath: string
    /** exporter-toolkit web configuration file (TLS, basic auth). */
    readonly configFile: string | null
    /** Most open HTTP connections at once. */
    readonly maxConnections: number
    /** Seconds a client has to send its request headers. */
    readonly headersTimeoutSeconds: number
    /** Where Prometheus reaches the exporter, for the targets of /sd; null: the request's Host header. */
    readonly externalUrl: string | null
    /** Cluster and node families only on /probe, not on the telemetry path. */
    readonly probeOnly: boolean
  }
  readonly api: {
    readonly url: string
    readonly requestTimeoutSeconds: number
    /** Largest JSON body accepted (JSON bodies are held whole). */
    readonly maxResponseBytes: number
    /** Largest organization metrics body accepted (streamed, never held whole). */
    readonly maxMetricsResponseBytes: number
    readonly maxConcurrency: number
    /** One org-metrics request per organization per this many seconds (the API's rate limit). */
    readonly orgMetricsWindowSeconds: number
    readonly credentials: readonly CredentialConfig[]
  }
  readonly collectors: Readonly<Record<CollectorName, CollectorConfig>>
  readonly filters: {
    readonly organizations: NameFilter
    readonly projects: NameFilter
    readonly clusters: NameFilter
  }
  /** This exporter's share of the organizations (a stable hash of the organization id modulo total). */
  readonly sharding: {
    readonly total: number
    readonly ordinal: number
  }
  /** Data older than this many intervals of its collector is withdrawn. */
  readonly maxStalenessIntervals: number
  /** Bounds on what one organization metrics body may make the exporter hold. */
  readonly orgMetrics: { readonly maxNodes: number; readonly maxNodesPerCluster: number }
  readonly log: {
    readonly level: LogLevel
    readonly format: LogFormat
  }
  /** The storage autopilot (YAML autopilot.storage); absent: off. */
  readonly autopilot?: { readonly storage: StorageAutopilotConfig }
}

/** The storage autopilot's policy (YAML autopilot.storage), as ./autopilot.ts validates it. */
export type AutopilotMode = 'dry_run' | 'apply'

export interface StorageStep {
  readonly kind: 'bytes' | 'percent'
  readonly value: number
}

export interface MaintenanceWindow {
  /** Days of the week it opens on, 0 = Sunday (UTC). */
  readonly days: readonly number[]
  /** Minutes after midnight UTC at which it opens. */
  readonly startMinutes: number
  readonly durationSeconds: number
}

export interface StorageAutopilotConfig {
  readonly mode: AutopilotMode
  /** How often the policy is evaluated. */
  readonly intervalSeconds: number
  readonly organizations: NameFilter
  readonly projects: NameFilter
  readonly clusters: NameFilter
  readonly trigger: {
    /** Utilization of the fullest node (0..1) that starts the clock; null: this trigger is off. */
    readonly fullestNodeAbove: number | null
    /** How long the fullest node must stay above it. */
    readonly forSeconds: number
    /** Act when the fullest node is forecast to reach the flood stage (95 %) within this; null: off. */
    readonly floodStageWithinSeconds: number | null
  }
  readonly step: StorageStep
  /** The new size is rounded up to a multiple of this (the API takes whole GiB as croud sends them). */
  readonly roundToBytes: number
  readonly limits: {
    readonly maxDiskSizePerNodeBytes: number
    readonly cooldownSeconds: number
    readonly maxPerClusterPerDay: number
    readonly maxPerOrganizationPerDay: number
  }
  readonly maintenanceWindow: MaintenanceWindow | null
  /** Data older than this (the newest upstream sample, the last inventory) is not acted on. */
  readonly staleAfterSeconds: number
  /** Poll history the forecast fits a line through. */
  readonly forecastWindowSeconds: number
  /** How long an operation is followed before it counts as failed. */
  readonly operationTimeoutSeconds: number
  readonly operationPollSeconds: number
}
