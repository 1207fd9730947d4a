import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import type { FlagValue } from '../../src/cli/flags.js'
import { loadConfig } from '../../src/config/index.js'
import type { Config } from '../../src/config/types.js'
import { createLogger } from '../../src/logger.js'
import { startExporter, type RunningExporter } from '../../src/engine/start.js'
import { firstCredential, type RunningSimulator } from './simulator.js'

export interface TestExporter extends RunningExporter {
  readonly config: Config
  /** Every log line written so far (JSON), for assertions and secret scans. */
  readonly logs: string[]
}

export interface TestExporterOptions {
  /** Flags as on the command line, without the leading dashes, e.g. { 'collector.org_metrics.interval': '1s' }. */
  readonly flags?: Record<string, FlagValue>
  /** Replaces the default environment (the simulator's first key pair). */
  readonly env?: NodeJS.ProcessEnv
  readonly logLevel?: 'debug' | 'info' | 'warn'
  /** Process metrics (process_*, nodejs_*); off by default so that test output stays deterministic. */
  readonly defaultMetrics?: boolean
}

/** The real exporter (config loader, client, collectors, renderer, server) on 127.0.0.1, ephemeral port. */
export async function startTestExporter(
  simulator: RunningSimulator,
  options: TestExporterOptions = {}
): Promise<TestExporter> {
  const credential = firstCredential(simulator)
  // The exporter knows the API's rate-limit window; here the API is the simulator, whose window a
  // test may have shortened.
  const windowMs = simulator.state.settings.rateLimitWindowMs
  const flags = new Map<string, FlagValue>([
    ['web.listen-address', '127.0.0.1:0'],
    ['api.url', simulator.url],
    ...(windowMs > 0 ? [['api.org-metrics-window', `${windowMs}ms`] as [string, FlagValue]] : []),
    ...Object.entries(options.flags ?? {})
  ])
  const env = options.env ?? {
    CRATEDB_CLOUD_API_KEY: credential.key,
    CRATEDB_CLOUD_API_SECRET: credential.secret
  }
  const { config } = loadConfig({ flags, env, readFile: (path) => readFileSync(path, 'utf8') })
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '')
      )
      callback()
    }
  })
  const logger = createLogger({ level: options.logLevel ?? 'info', format: 'json', destination: sink })
  const running = await startExporter({
    config,
    logger,
    webConfig: null,
    revision: 'test',
    defaultMetrics: options.defaultMetrics ?? false
  })
  return { ...running, config, logs }
}

/** Polls until `condition` holds (or throws with `what` after `timeoutMs`). */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function scrape(exporter: RunningExporter, path = '/metrics'): Promise<string> {
  const response = await fetch(`${exporter.url}${path}`)
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`)
  return response.text()
}

/**
 * Whether a text exposition holds the data of a first inventory poll and of one org-metrics read for
 * each of `organizations` (and, when given, `clusters` clusters in all). The collector_success gauges
 * are live, while the collectors' data is rendered a moment after a run ends (runs that end close
 * together share one render): a success alone does not mean that the data is on /metrics yet.
 */
export function hasPolled(text: string, organizations: number, clusters?: number): boolean {
  const lines = text.split('\n')
  const count = (prefix: string, suffix = ''): number =>
    lines.filter((line) => line.startsWith(prefix) && line.endsWith(suffix)).length
  const succeeded = (collector: string): number =>
    count(`cratedb_cloud_collector_success{collector="${collector}"`, ' 1')
  return (
    succeeded('inventory') >= 1 &&
    succeeded('org_metrics') === organizations &&
    count('cratedb_cloud_org_metrics_newest_sample_timestamp_seconds{') === organizations &&
    (clusters === undefined || count('cratedb_cloud_cluster_info{') === clusters)
  )
}
