import { Registry } from 'prom-client'
import type { Dispatcher } from 'undici'
import { displayUrl, parseListenAddress } from '../config/listen-address.js'
import { createCloudClient } from '../cloud/client.js'
import { systemClock, type TimerClock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { Logger } from '../logger.js'
import { createExpositionRenderer } from '../metrics/exposition.js'
import { createSelfMetrics } from '../metrics/self-metrics.js'
import { registerShardMetrics } from '../metrics/shard-metrics.js'
import { buildServer } from '../server/build-server.js'
import type { WebConfig } from '../server/web-config.js'
import { version } from '../version.js'
import { apiMetricsObserver } from './api-metrics.js'
import type { StorageAutopilot } from '../autopilot/autopilot.js'
import { createExporter, type Exporter } from './exporter.js'

export interface StartExporterOptions {
  readonly config: Config
  readonly logger: Logger
  readonly webConfig: WebConfig | null
  readonly revision: string
  readonly clock?: TimerClock
  readonly dispatcher?: Dispatcher
  /** Process metrics (process_*, nodejs_*); on in production. */
  readonly defaultMetrics?: boolean
}

export interface RunningExporter {
  /** Base URL of the HTTP server, e.g. http://localhost:9863. */
  readonly url: string
  readonly port: number
  readonly exporter: Exporter
  /** Stops polling, aborts requests in flight, closes the server and the API connections. */
  close(): Promise<void>
}

/** Wires the exporter's parts together and starts listening and polling. */
export async function startExporter(options: StartExporterOptions): Promise<RunningExporter> {
  const { config, logger } = options
  const clock = options.clock ?? systemClock
  const registry = new Registry()
  const metrics = createSelfMetrics({
    registry,
    version,
    revision: options.revision,
    defaultMetrics: options.defaultMetrics ?? true
  })
  registerShardMetrics(registry, config.sharding ?? { total: 1, ordinal: 0 })
  const api = createCloudClient({
    baseUrl: config.api.url,
    credentials: config.api.credentials,
    requestTimeoutMs: config.api.requestTimeoutSeconds * 1000,
    maxResponseBytes: config.api.maxResponseBytes,
    maxMetricsResponseBytes: config.api.maxMetricsResponseBytes,
    maxConcurrency: config.api.maxConcurrency,
    logger: logger.child({ component: 'api' }),
    observer: apiMetricsObserver(metrics),
    clock,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher })
  })
  const renderer = createExpositionRenderer({
    selfRegistry: registry,
    clock,
    excludeClusterFamilies: config.web.probeOnly === true
  })
  const exporter = createExporter({
    config,
    api,
    logger,
    clock,
    metrics,
    renderer,
    version
  })
  const autopilot = await startAutopilot(options, api, exporter, registry, clock)
  const view =
    autopilot === null
      ? exporter.view
      : { ...exporter.view, status: () => ({ ...exporter.view.status(), autopilot: autopilot.status() }) }
  const server = buildServer({
    view,
    logger: logger.child({ component: 'http' }),
    telemetryPath: config.web.telemetryPath,
    webConfig: options.webConfig,
    selfMetrics: metrics,
    limits: {
      maxConnections: config.web.maxConnections,
      headersTimeoutMs: config.web.headersTimeoutSeconds * 1000
    },
    externalUrl: config.web.externalUrl ?? null,
    clock
  })
  const address = parseListenAddress(config.web.listenAddress, '--web.listen-address')
  try {
    await exporter.renderNow()
    await server.listen({ host: address.host, port: address.port })
  } catch (error) {
    await Promise.allSettled([server.close(), api.close(), autopilot?.stop()])
    throw error
  }
  exporter.start()
  autopilot?.start()
  const bound = server.server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
  const url = displayUrl(
    address.host,
    port,
    options.webConfig?.tls !== undefined && options.webConfig.tls !== null
  )
  return {
    url,
    port,
    exporter,
    async close() {
      await autopilot?.stop()
      await exporter.stop()
      await server.close()
      await api.close()
    }
  }
}

/**
 * The storage autopilot, when the configuration has autopilot.storage; it reads what the exporter polls.
 * Its module is loaded only then: most exporters run without it.
 */
async function startAutopilot(
  options: StartExporterOptions,
  api: ReturnType<typeof createCloudClient>,
  exporter: Exporter,
  registry: Registry,
  clock: TimerClock
): Promise<StorageAutopilot | null> {
  const config = options.config.autopilot?.storage
  if (config === undefined) return null
  const { createStorageAutopilot } = await import('../autopilot/autopilot.js')
  return createStorageAutopilot({
    config,
    api,
    source: {
      directory: () => exporter.directory.current(),
      families: () => exporter.families(),
      collectors: () => exporter.collectors()
    },
    logger: options.logger.child({ component: 'autopilot' }),
    clock,
    registry,
    requestTimeoutMs: options.config.api.requestTimeoutSeconds * 1000
  })
}
