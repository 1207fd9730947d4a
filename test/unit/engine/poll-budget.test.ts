import type { AddressInfo } from 'node:net'
import { Registry } from 'prom-client'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CloudApi } from '../../../src/cloud/api.js'
import { createCloudClient } from '../../../src/cloud/client.js'
import { loadConfig } from '../../../src/config/index.js'
import { apiMetricsObserver } from '../../../src/engine/api-metrics.js'
import { createExporter, type Exporter } from '../../../src/engine/exporter.js'
import { createExpositionRenderer } from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import { buildSimulatorApp, createSimulatorState, type SimulatorClock } from '../../../src/simulator/index.js'
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js'

const silent = pino({ level: 'silent' })
const WINDOW_MS = 60_000
const MAX_LATENCY_MS = 2000
const CYCLES = 12
const START_MS = Date.UTC(2026, 4, 13, 10, 0, 0)

/** A small deterministic generator, so that a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * The API as the exporter sees it over a slow network: every call waits 0-2 s of fake time in all,
 * split at random between the way there and the way back. Only the loopback exchange in between is
 * real, and the clock does not move while it runs.
 */
function withLatency(api: CloudApi, clock: FakeClock, random: () => number, counts: Map<string, number>) {
  let inFlight = 0
  const wait = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms))
  async function travel<T>(what: string, call: () => Promise<T>): Promise<T> {
    counts.set(what, (counts.get(what) ?? 0) + 1)
    // Whole milliseconds: the simulator stamps its samples with the time it reads.
    const total = Math.floor(random() * MAX_LATENCY_MS)
    const there = Math.floor(random() * total)
    await wait(there)
    inFlight++
    let result: { value: T } | { error: unknown }
    try {
      result = { value: await call() }
    } catch (error) {
      result = { error }
    } finally {
      inFlight--
    }
    await wait(total - there)
    if ('error' in result) throw result.error
    return result.value
  }
  const wrapped: CloudApi = {
    currentUser: (signal) => travel('currentUser', () => api.currentUser(signal)),
    organizations: (signal) => travel('organizations', () => api.organizations(signal)),
    organizationProjects: (id, signal) =>
      travel(`projects ${id}`, () => api.organizationProjects(id, signal)),
    organizationClusters: (id, signal) =>
      travel(`clusters ${id}`, () => api.organizationClusters(id, signal)),
    quotas: (id, signal) => travel(`quotas ${id}`, () => api.quotas(id, signal)),
    currentConsumption: (id, signal) => travel(`consumption ${id}`, () => api.currentConsumption(id, signal)),
    orgMetrics: (id, signal, createSink) =>
      travel(`orgMetrics ${id}`, () => api.orgMetrics(id, signal, createSink)),
    credentials: () => api.credentials(),
    usage: () => api.usage(),
    close: () => api.close()
  }
  const idle = async (): Promise<void> => {
    // Bounded: a loopback request of the simulator takes milliseconds.
    for (let i = 0; inFlight > 0 && i < 30_000; i++) await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return { api: wrapped, idle }
}

interface Setup {
  clock: FakeClock
  exporter: Exporter
  state: ReturnType<typeof createSimulatorState>
  counts: Map<string, number>
  text: () => string
  close: () => Promise<void>
}

const running: Setup[] = []
afterEach(async () => {
  for (const setup of running.splice(0)) await setup.close()
  vi.restoreAllMocks()
})

async function setup(mode: 'cache' | '429', seed: number): Promise<Setup> {
  let idle: () => Promise<void> = () => Promise.resolve()
  const clock = createFakeClock(START_MS, { idle: () => idle() })
  // The scheduler times its runs with performance.now(); here that time is the fake clock's too, as
  // both are the same time in production.
  vi.spyOn(performance, 'now').mockImplementation(() => clock.now() - START_MS)
  // The simulator reads the exporter's fake time: both sides of the exchange share one clock.
  const simulatorClock: SimulatorClock = {
    kind: 'manual',
    speed: 0,
    // Whole milliseconds, as the simulator's own clocks read.
    now: () => Math.floor(clock.now()),
    advance: () => {
      throw new Error('the fake clock moves time in this test')
    }
  }
  const state = createSimulatorState({ seed: 7, clock: simulatorClock, settings: { rateLimit: mode } })
  const app = buildSimulatorApp(state, { adminToken: 'admin-token' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const credential = state.credentials()[0]!
  const { config } = loadConfig({
    flags: new Map([['api.url', url]]),
    env: { CRATEDB_CLOUD_API_KEY: credential.key, CRATEDB_CLOUD_API_SECRET: credential.secret },
    readFile: () => {
      throw new Error('no files')
    }
  })
  const registry = new Registry()
  const metrics = createSelfMetrics({ registry, version: 't', revision: 't' })
  const client = createCloudClient({
    baseUrl: url,
    credentials: config.api.credentials,
    requestTimeoutMs: 30_000,
    maxResponseBytes: config.api.maxResponseBytes,
    maxConcurrency: config.api.maxConcurrency,
    logger: silent,
    observer: apiMetricsObserver(metrics),
    clock
  })
  const counts = new Map<string, number>()
  const slow = withLatency(client, clock, seeded(seed), counts)
  idle = slow.idle
  const renderer = createExpositionRenderer({ selfRegistry: registry, clock })
  const exporter = createExporter({
    config,
    api: slow.api,
    logger: silent,
    clock,
    metrics,
    renderer,
    version: 't'
  })
  const result: Setup = {
    clock,
    exporter,
    state,
    counts,
    text: () => renderer.current().text.toString(),
    async close() {
      await exporter.stop()
      await client.close()
      await app.close()
    }
  }
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
