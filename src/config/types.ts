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
  readonly log: {
    readonly level: LogLevel
    readonly format: LogFormat
  }
}
