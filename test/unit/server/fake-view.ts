import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { pino } from 'pino'
import type { Logger } from '../../../src/logger.js'
import { REDACT_PATHS } from '../../../src/logger.js'
import { ExpositionBody } from '../../../src/metrics/body.js'
import { buildServer } from '../../../src/server/build-server.js'
import { loadWebConfig } from '../../../src/server/web-config.js'
import { createSelfMetrics, type SelfMetrics } from '../../../src/metrics/self-metrics.js'
import type {
  ClusterTarget,
  ExporterView,
  Exposition,
  ProbeLookup,
  StatusReport
} from '../../../src/engine/view.js'

export const NOW = Date.UTC(2025, 4, 1, 12, 0, 0)

export function exposition(generation: number, text = `up_total ${generation}\n`): Exposition {
  return {
    text: ExpositionBody.of(text),
    openMetrics: ExpositionBody.of(`# TYPE up counter\nup_total ${generation}\n`),
    renderedAt: NOW,
    generation,
    clusters: new Map()
  }
}

export function sampleStatus(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    version: '1.2.3',
    startedAt: NOW - 3 * 3600_000,
    now: NOW,
    ready: true,
    problem: null,
    apiUrl: 'https://console.cratedb.cloud',
    shard: { ordinal: 0, total: 1 },
    organizations: [
      { id: 'org-1', name: 'Acme & Co', orgMetricsDroppedNodes: { unknown_cluster: 0, limit: 0 } },
      { id: 'org-2', name: 'Globex', orgMetricsDroppedNodes: null }
    ],
    clusters: [
      {
        id: 'c-1',
        name: 'production',
        organizationId: 'org-1',
        organizationName: 'Acme & Co',
        projectName: 'Main',
        health: 'GREEN',
        suspended: false,
        numNodes: 3,
        runningOperation: '',
        storageUtilization: 0.42,
        cpuUtilization: 0.125
      },
      {
        id: 'c-2',
        name: '<script>alert("x")</script>',
        organizationId: 'org-2',
        organizationName: 'Globex',
        projectName: 'Lab',
        health: 'YELLOW',
        suspended: false,
        numNodes: 1,
        runningOperation: 'UPGRADE',
        storageUtilization: 0.91,
        cpuUtilization: null
      }
    ],
    collectors: [
      {
        collector: 'inventory',
        organizationId: '',
        intervalSeconds: 60,
        lastRunAt: NOW - 12_000,
        lastSuccessAt: NOW - 12_000,
        lastDurationSeconds: 0.84,
        success: true,
        lastErrorReason: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        nextRunAt: NOW + 48_000,
        stale: false
      },
      {
        collector: 'org_metrics',
        organizationId: 'org-2',
        intervalSeconds: 60,
        lastRunAt: NOW - 5_000,
        lastSuccessAt: NOW - 305_000,
        lastDurationSeconds: 50,
        success: false,
        lastErrorReason: 'throttled',
        lastErrorCode: 'CCE_API_THROTTLED',
        lastErrorMessage: 'HTTP 429 <too many>',
        nextRunAt: NOW + 20_000,
        stale: false
      }
    ],
    api: {
      requests: 1234,
      errors: { throttled: 7, server: 2 },
      credentials: [
        { name: 'primary', active: false, lastOutcome: 'auth_failed', lastFailureAt: NOW - 600_000 },
        { name: 'backup', active: true, lastOutcome: 'ok', lastFailureAt: null }
      ]
    },
    ...overrides
  }
}

export interface FakeView extends ExporterView {
  current: Exposition
  isReady: boolean
  isAlive: boolean
  report: StatusReport
  expositionCalls: number
  /** What selfMetrics() answers, per format. */
  self: { text: string; openmetrics: string }
  clusterTargets: ClusterTarget[]
  probeLookup: (clusterId: string) => ProbeLookup
}

export function fakeView(): FakeView {
  const view: FakeView = {
    current: exposition(1),
    isReady: true,
    isAlive: true,
    report: sampleStatus(),
    expositionCalls: 0,
    self: { text: '', openmetrics: '# EOF\n' },
    clusterTargets: [],
    probeLookup: () => ({ found: false, reason: 'not in the fake view' }),
    targets: () => view.clusterTargets,
    probe: (clusterId) => view.probeLookup(clusterId),
    exposition() {
      view.expositionCalls += 1
      return view.current
    },
    selfMetrics: (format) =>
      Promise.resolve({ stable: Buffer.from(view.self[format]), live: Buffer.alloc(0) }),
    status: () => view.report,
    ready: () => view.isReady,
    alive: () => view.isAlive
  }
  return view
}

export function testSelfMetrics(): SelfMetrics {
  return createSelfMetrics({
    registry: new Registry(),
    version: '0.0.0',
    revision: 'test',
    defaultMetrics: false
  })
}

/** A logger that keeps its JSON lines, configured like the real one (redaction included). */
export function captureLogger(level: 'debug' | 'info' = 'debug'): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'))
      callback()
    }
  })
  const logger = pino(
    { level, base: null, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination
  )
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
  }
}

/**
 * A server with a fake view, listening on 127.0.0.1 (a free port) with the web configuration
 * `webConfigYaml`, written to a new file in `dir` (relative paths in it resolve against `dir`).
 */
export async function listenWithWebConfig(
  dir: string,
  webConfigYaml: string
): Promise<{ app: FastifyInstance; port: number }> {
  const path = join(dir, `web-${Math.random().toString(36).slice(2)}.yml`)
  writeFileSync(path, webConfigYaml)
  const app = buildServer({
    view: fakeView(),
    logger: captureLogger('info').logger,
    telemetryPath: '/metrics',
    webConfig: loadWebConfig(path, (file) => readFileSync(file)),
    selfMetrics: testSelfMetrics()
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { app, port: address.port }
}
