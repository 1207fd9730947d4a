import { Registry } from 'prom-client'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCloudClient } from '../../../src/cloud/client.js'
import { loadConfig } from '../../../src/config/index.js'
import { apiMetricsObserver } from '../../../src/engine/api-metrics.js'
import { createExporter } from '../../../src/engine/exporter.js'
import { createExpositionRenderer } from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import { buildSimulatorApp, createSimulatorState } from '../../../src/simulator/index.js'
import {
  startSimulatedExporter,
  type ExporterParts,
  type SimulatedExporter
} from '../../../bench/lib/simulated-time.js'

const silent = pino({ level: 'silent' })
const WINDOW_MS = 60_000
const MAX_LATENCY_MS = 2000
const CYCLES = 12
const START_MS = Date.UTC(2026, 4, 13, 10, 0, 0)

type Setup = SimulatedExporter

const running: Setup[] = []
afterEach(async () => {
  for (const setup of running.splice(0)) await setup.close()
  vi.restoreAllMocks()
})

/** The modules startSimulatedExporter wires, from the sources. */
const parts: ExporterParts = {
  loadConfig,
  createCloudClient,
  apiMetricsObserver,
  createExporter,
  createExpositionRenderer,
  createSelfMetrics,
  buildSimulatorApp,
  createSimulatorState,
  Registry
}

/**
 * The simulator and the exporter on one fake clock; the API answers after 0-2 s of fake time in all,
 * split at random between the way there and the way back. Only the loopback exchange in between is
 * real, and the clock does not move while it runs.
 */
async function setup(mode: 'cache' | '429', seed: number): Promise<Setup> {
  const result = await startSimulatedExporter(parts, {
    startMs: START_MS,
    mode,
    seed,
    maxLatencyMs: MAX_LATENCY_MS,
    logger: silent,
    maxTimersPerAdvance: 100_000
  })
  const { clock } = result
  // The scheduler times its runs with performance.now(); here that time is the fake clock's too, as
  // both are the same time in production.
  vi.spyOn(performance, 'now').mockImplementation(() => clock.now() - START_MS)
  running.push(result)
  return result
}

/** organization id -> cratedb_cloud_org_metrics_newest_sample_timestamp_seconds (ms). */
function newestSamples(text: string): Map<string, number> {
  const out = new Map<string, number>()
  const pattern =
    /^cratedb_cloud_org_metrics_newest_sample_timestamp_seconds\{organization_id="([^"]+)"\} (\S+)$/gm
  for (const match of text.matchAll(pattern)) out.set(match[1]!, Number(match[2]) * 1000)
  return out
}

describe.each([
  ['cache', 11],
  ['429', 12]
] as const)('the org-metrics poll schedule against the %s limiter', (mode, seed) => {
  it(`over ${CYCLES} cycles with 0-2 s of latency: no request inside the window, no drift, young data`, async () => {
    const { clock, exporter, state, counts, text } = await setup(mode, seed)
    const organizations = state.organizations().map((organization) => organization.id)
    expect(organizations.length).toBeGreaterThan(1)
    exporter.start()
    // The upstream lag of each organization: fresh answer time minus the newest sample it carried.
    const lag = new Map<string, number>()
    const ages = new Map<string, number[]>(organizations.map((id) => [id, []]))
    const excess: string[] = []
    const end = START_MS + (CYCLES + 1) * WINDOW_MS
    while (clock.now() < end) {
      await clock.advance(1000)
      const shown = newestSamples(text())
      for (const id of organizations) {
        const newest = shown.get(id)
        if (newest === undefined) continue
        if (!lag.has(id)) {
          const first = state.orgMetricsRequests(id).find((entry) => entry.outcome === 'fresh')
          lag.set(id, first!.atMs - newest)
        }
        const age = clock.now() - newest
        ages.get(id)!.push(age)
        if (age > lag.get(id)! + 65_000)
          excess.push(`${id} at +${(clock.now() - START_MS) / 1000} s: ${age / 1000} s old`)
      }
    }
    expect(excess).toEqual([])
    for (const id of organizations) {
      const log = state.orgMetricsRequests(id)
      const fresh = log.filter((entry) => entry.outcome === 'fresh')
      expect(fresh.length, id).toBeGreaterThanOrEqual(CYCLES - 1)
      // After the first cycle, not one request inside the window (re-served or throttled).
      const inside = log.slice(1).filter((entry) => entry.outcome !== 'fresh')
      expect(
        inside.map((entry) => `${entry.outcome} at +${(entry.atMs - START_MS) / 1000} s`),
        id
      ).toEqual([])
      // No drift: every fresh answer follows the previous one by the window plus at most the margin
      // and the latency of two requests, cycle after cycle.
      const gaps = fresh.slice(1).map((entry, i) => entry.atMs - fresh[i]!.atMs)
      for (const gap of gaps) {
        expect(gap, `${id}: ${gaps.join(', ')}`).toBeGreaterThanOrEqual(WINDOW_MS)
        expect(gap, `${id}: ${gaps.join(', ')}`).toBeLessThanOrEqual(WINDOW_MS + 5000)
      }
      expect(ages.get(id)!.length).toBeGreaterThan(CYCLES * 50)
      // The other collectors keep their own budgets: one cluster listing per organization a cycle.
      expect(counts.get(`clusters ${id}`)).toBeLessThanOrEqual(CYCLES + 2)
    }
  }, 120_000)
})
