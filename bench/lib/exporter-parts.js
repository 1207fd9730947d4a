// The exporter's own API client and collectors, wired as src/engine/start.ts wires them, for timing
// one org-metrics run (fetch + parse + derive) in this process.
/* global AbortSignal */
import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { systemClock } from '../../dist/clock.js'
import { createCloudClient } from '../../dist/cloud/client.js'
import { createOrgMetricsReader } from '../../dist/collectors/org-metrics/reader.js'
import { createDirectoryStore } from '../../dist/collectors/directory.js'
import { MATCH_ALL } from '../../dist/collectors/inventory/filters.js'
import { createInventoryCollector } from '../../dist/collectors/inventory/collector.js'
import { createOrgMetricsCollector } from '../../dist/collectors/org-metrics/collector.js'
import { loadConfig } from '../../dist/config/index.js'
import { createLogger } from '../../dist/logger.js'
import { apiMetricsObserver } from '../../dist/engine/api-metrics.js'
import { createSelfMetrics } from '../../dist/metrics/self-metrics.js'
import { BENCH_KEY, BENCH_SECRET } from './payloads.js'

export const benchEnv = { CRATEDB_CLOUD_API_KEY: BENCH_KEY, CRATEDB_CLOUD_API_SECRET: BENCH_SECRET }

/** The exporter's configuration for these flags (Map of flag name to value), with the bench key pair. */
export function benchConfig(flags) {
  return loadConfig({ flags: new Map(flags), env: benchEnv, readFile: (path) => readFileSync(path, 'utf8') })
    .config
}

export function quietLogger() {
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() })
  return createLogger({ level: 'error', format: 'json', destination: sink })
}

/**
 * An API client against `baseUrl` and the inventory and org-metrics collectors of its one organization.
 * `collect()` runs the org-metrics collector once: the timed unit. `wrapReader`, when given, wraps the
 * collector's reader (for timing its chunks).
 */
export async function createOrgMetricsRun(baseUrl, organizationId, { wrapReader = (reader) => reader } = {}) {
  const config = benchConfig([['api.url', baseUrl]])
  const logger = quietLogger()
  const clock = systemClock
  const metrics = createSelfMetrics({
    registry: new Registry(),
    version: 'bench',
    revision: 'bench',
    defaultMetrics: false
  })
  const api = createCloudClient({
    baseUrl: config.api.url,
    credentials: config.api.credentials,
    requestTimeoutMs: 120_000,
    maxResponseBytes: config.api.maxResponseBytes,
    maxMetricsResponseBytes: config.api.maxMetricsResponseBytes,
    maxConcurrency: config.api.maxConcurrency,
    logger,
    observer: apiMetricsObserver(metrics),
    clock
  })
  const directory = createDirectoryStore()
  const inventory = createInventoryCollector({
    api,
    logger,
    clock,
    directory,
    filters: { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }
  })
  const signal = () => AbortSignal.timeout(300_000)
  await inventory.collect(signal())
  const orgMetrics = createOrgMetricsCollector({
    api,
    logger,
    clock,
    organizationId,
    directory,
    createReader: (options) => wrapReader(createOrgMetricsReader(options)),
    keepMissingForMs: 300_000
  })
  return {
    clusters: directory.current().clusters.size,
    collect: () => orgMetrics.collect(signal()),
    close: () => api.close()
  }
}
