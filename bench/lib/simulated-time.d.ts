// Types of simulated-time.js, for the tests that import it.
import type { Registry } from 'prom-client'
import type { TimerClock } from '../../src/clock.js'
import type { CloudApi } from '../../src/cloud/api.js'
import type { createCloudClient } from '../../src/cloud/client.js'
import type { loadConfig } from '../../src/config/index.js'
import type { apiMetricsObserver } from '../../src/engine/api-metrics.js'
import type { createExporter, Exporter } from '../../src/engine/exporter.js'
import type { Logger } from '../../src/logger.js'
import type { createExpositionRenderer } from '../../src/metrics/exposition.js'
import type { createSelfMetrics } from '../../src/metrics/self-metrics.js'
import type { buildSimulatorApp, createSimulatorState, SimulatorState } from '../../src/simulator/index.js'

export interface SteppedClock extends TimerClock {
  advance(ms: number): Promise<void>
  /** Timers set and not yet fired or cleared. */
  pending(): number
}

export function createSteppedClock(
  startMs: number,
  options?: { readonly idle?: () => Promise<void>; readonly maxTimersPerAdvance?: number }
): SteppedClock

export function seeded(seed: number): () => number

export function withLatency(
  api: CloudApi,
  clock: TimerClock,
  random: () => number,
  options?: { readonly maxLatencyMs?: number; readonly counts?: Map<string, number> }
): { api: CloudApi; idle: () => Promise<void> }

/** The exporter's and the simulator's modules: from src/ in the tests, from a build in the benchmark. */
export interface ExporterParts {
  readonly loadConfig: typeof loadConfig
  readonly createCloudClient: typeof createCloudClient
  readonly apiMetricsObserver: typeof apiMetricsObserver
  readonly createExporter: typeof createExporter
  readonly createExpositionRenderer: typeof createExpositionRenderer
  readonly createSelfMetrics: typeof createSelfMetrics
  readonly buildSimulatorApp: typeof buildSimulatorApp
  readonly createSimulatorState: typeof createSimulatorState
  readonly Registry: typeof Registry
}

export interface SimulatedExporter {
  readonly clock: SteppedClock
  readonly exporter: Exporter
  readonly state: SimulatorState
  /** API calls made, by kind (`orgMetrics <id>`, `clusters <id>`, ...). */
  readonly counts: Map<string, number>
  /** The exposition as /metrics would serve it. */
  readonly text: () => string
  readonly close: () => Promise<void>
}

export function startSimulatedExporter(
  parts: ExporterParts,
  options: {
    readonly startMs: number
    readonly mode: 'cache' | '429'
    readonly seed: number
    readonly maxLatencyMs: number
    readonly logger: Logger
    readonly maxTimersPerAdvance?: number
  }
): Promise<SimulatedExporter>
