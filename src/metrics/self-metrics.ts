import { Counter, Gauge, Histogram, type Registry, collectDefaultMetrics } from 'prom-client'
import { trackChanges } from './change-tracking.js'

/**
 * The exporter's own instrumentation, on a registry it is given (never prom-client's global one).
 * Current at every scrape (src/metrics/exposition.ts): all but the scrape counter are tracked
 * (src/metrics/change-tracking.ts), so their rendering is reused until one of them changes; the scrape
 * counter changes with every scrape and is read for each; the process_* and nodejs_* values are
 * collected at most once a second.
 */
export interface SelfMetrics {
  readonly registry: Registry
  readonly buildInfo: Gauge<'version' | 'revision' | 'nodejs_version'>
  readonly apiRequests: Counter<'endpoint'>
  readonly apiErrors: Counter<'endpoint' | 'reason'>
  readonly apiRequestDuration: Histogram<'endpoint'>
  readonly apiRetries: Counter<'endpoint'>
  readonly credentialActive: Gauge<'credential'>
  readonly credentialFailures: Counter<'credential'>
  readonly credentialFailovers: Counter
  readonly collectorSuccess: Gauge<'collector' | 'organization_id'>
  readonly collectorDuration: Gauge<'collector' | 'organization_id'>
  readonly collectorLastSuccess: Gauge<'collector' | 'organization_id'>
  readonly collectorRuns: Counter<'collector' | 'organization_id'>
  readonly collectorFailures: Counter<'collector' | 'organization_id'>
  readonly collectorDataAge: Gauge<'collector' | 'organization_id'>
  readonly scrapes: Counter<'format'>
  readonly webConfigReloads: Counter
  readonly webConfigReloadFailures: Counter<'reason'>
  readonly webConfigReloadRefused: Gauge
}

export interface SelfMetricsOptions {
  registry: Registry
  version: string
  revision: string
  /** Process metrics (process_*, nodejs_*); off in unit tests for deterministic output. */
  defaultMetrics?: boolean
}

const POLLED = 'Counted by the exporter itself, current at every scrape.'

/**
 * prom-client's gauges with a counter's suffix: `promtool check metrics` rejects them (exit status 3).
 * Each is the sum over `type` of the gauge of the same name without `_total`, which stays, so dropping
 * them loses no information.
 */
const GAUGES_NAMED_LIKE_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total'
] as const

/** Why a change of the web configuration file was not applied. */
export const WEB_CONFIG_REFUSALS = ['invalid', 'empty', 'weakens', 'needs_restart'] as const
export type WebConfigRefusal = (typeof WEB_CONFIG_REFUSALS)[number]

export function createSelfMetrics(options: SelfMetricsOptions): SelfMetrics {
  const registers = [options.registry]
  if (options.defaultMetrics === true) {
    collectDefaultMetrics({ register: options.registry })
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) options.registry.removeSingleMetric(name)
  }

  // Every metric but the scrape counter (which changes with every scrape) is tracked.
  const track = <M extends Counter | Gauge | Histogram>(metric: M): M =>
    trackChanges(metric, options.registry)

  const buildInfo = track(
    new Gauge({
      name: 'cratedb_cloud_exporter_build_info',
      help: 'Build of the running exporter, always 1.',
      labelNames: ['version', 'revision', 'nodejs_version'] as const,
      registers
    })
  )
  buildInfo.set({ version: options.version, revision: options.revision, nodejs_version: process.version }, 1)

  const apiRequests = track(
    new Counter({
      name: 'cratedb_cloud_api_requests_total',
      help: `HTTP requests sent to the CrateDB Cloud API, retries included, by route template. ${POLLED}`,
      labelNames: ['endpoint'] as const,
      registers
    })
  )
  const apiErrors = track(
    new Counter({
      name: 'cratedb_cloud_api_errors_total',
      help: `Failed CrateDB Cloud API requests by route template and reason (auth, throttled, timeout, server, network, decode, not_found, client). ${POLLED}`,
      labelNames: ['endpoint', 'reason'] as const,
      registers
    })
  )
  const apiRequestDuration = track(
    new Histogram({
      name: 'cratedb_cloud_api_request_duration_seconds',
      help: `Duration of CrateDB Cloud API requests including reading the body, by route template. ${POLLED}`,
      labelNames: ['endpoint'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    })
  )
  const apiRetries = track(
    new Counter({
      name: 'cratedb_cloud_api_retries_total',
      help: `Requests to the CrateDB Cloud API that were retries of a failed attempt. ${POLLED}`,
      labelNames: ['endpoint'] as const,
      registers
    })
  )
  const credentialActive = track(
    new Gauge({
      name: 'cratedb_cloud_api_credential_active',
      help: 'Which configured API key is in use: 1 for the key the exporter sends, 0 for the others. The label is the key name from the configuration or its position, never the key or secret.',
      labelNames: ['credential'] as const,
      registers
    })
  )
  const credentialFailures = track(
    new Counter({
      name: 'cratedb_cloud_api_credential_failures_total',
      help: `Authentication failures (401, 403 or a redirect to the login page) per configured API key. ${POLLED}`,
      labelNames: ['credential'] as const,
      registers
    })
  )
  const credentialFailovers = track(
    new Counter({
      name: 'cratedb_cloud_api_credential_failovers_total',
      help: `Times the exporter switched to another API key after an authentication failure. ${POLLED}`,
      registers
    })
  )
  const collectorSuccess = track(
    new Gauge({
      name: 'cratedb_cloud_collector_success',
      help: 'Whether the last run of the collector succeeded (1) or failed (0).',
      labelNames: ['collector', 'organization_id'] as const,
      registers
    })
  )
  const collectorDuration = track(
    new Gauge({
      name: 'cratedb_cloud_collector_duration_seconds',
      help: 'Duration of the last run of the collector.',
      labelNames: ['collector', 'organization_id'] as const,
      registers
    })
  )
  const collectorLastSuccess = track(
    new Gauge({
      name: 'cratedb_cloud_collector_last_success_timestamp_seconds',
      help: 'When the collector last succeeded; time() minus this is the age of the data it serves.',
      labelNames: ['collector', 'organization_id'] as const,
      registers
    })
  )
  const collectorRuns = track(
    new Counter({
      name: 'cratedb_cloud_collector_runs_total',
      help: `Runs of the collector. ${POLLED}`,
      labelNames: ['collector', 'organization_id'] as const,
      registers
    })
  )
  const collectorFailures = track(
    new Counter({
      name: 'cratedb_cloud_collector_failures_total',
      help: `Failed runs of the collector. ${POLLED}`,
      labelNames: ['collector', 'organization_id'] as const,
      registers
    })
  )
  const collectorDataAge = track(
    new Gauge({
      name: 'cratedb_cloud_collector_data_age_seconds',
      help: 'Age of the data the collector serves, as of the last rendering of the cluster data (after every collector run); data older than the staleness limit is withdrawn.',
      labelNames: ['collector', 'organization_id'] as const,
      registers
    })
  )
  const scrapes = new Counter({
    name: 'cratedb_cloud_exporter_scrapes_total',
    help: `GET requests served on the telemetry path, by format (text, openmetrics), the current one included. ${POLLED}`,
    labelNames: ['format'] as const,
    registers
  })
  const webConfigReloads = track(
    new Counter({
      name: 'cratedb_cloud_exporter_web_config_reloads_total',
      help: `Changes of the web configuration file (or its TLS files) that the exporter tried to apply. ${POLLED}`,
      registers
    })
  )
  const webConfigReloadFailures = track(
    new Counter({
      name: 'cratedb_cloud_exporter_web_config_reload_failures_total',
      help: `Changes of the web configuration that were refused, the previous one staying in use, by reason (invalid: does not load; empty: no content; weakens: would remove basic auth, TLS or client certificate checks; needs_restart). ${POLLED}`,
      labelNames: ['reason'] as const,
      registers
    })
  )
  const webConfigReloadRefused = track(
    new Gauge({
      name: 'cratedb_cloud_exporter_web_config_reload_refused',
      help: '1 while the last change of the web configuration file was refused and the previous configuration is still in use, else 0 (also without --web.config.file).',
      registers
    })
  )
  for (const reason of WEB_CONFIG_REFUSALS) webConfigReloadFailures.inc({ reason }, 0)
  return {
    registry: options.registry,
    buildInfo,
    apiRequests,
    apiErrors,
    apiRequestDuration,
    apiRetries,
    credentialActive,
    credentialFailures,
    credentialFailovers,
    collectorSuccess,
    collectorDuration,
    collectorLastSuccess,
    collectorRuns,
    collectorFailures,
    collectorDataAge,
    scrapes,
    webConfigReloads,
    webConfigReloadFailures,
    webConfigReloadRefused
  }
}
