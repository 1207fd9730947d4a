// Freshness of the organization metrics: the age of the upstream data on /metrics, and the requests
// that reach the API inside its rate-limit window, per limiter mode.
//
// The real exporter (config, API client, collectors, scheduler, renderer) polls the real simulator over
// loopback HTTP. Both read one simulated clock that moves only from timer to timer, so 20 cycles of
// 60 s take seconds. Every API call waits 0-2 s of simulated time in all (seeded), split at random
// between the way there and the way back; the loopback exchange itself runs while the clock stands
// still.
//
// Run after `npm run build`: node bench/freshness.js [--dist DIR] [--cycles N] [--json]
// --dist points at another build (e.g. of an older commit) to measure its schedule the same way.
/* global console */
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { setImmediate, setTimeout } from 'node:timers'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { Registry } from 'prom-client'

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    cycles: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false }
  }
})
const DIST = resolve(args.dist)
const CYCLES = Number(args.cycles)
const WINDOW_MS = 60_000
const MAX_LATENCY_MS = 2000
const START_MS = Date.UTC(2026, 4, 13, 10, 0, 0)
const load = (path) => import(pathToFileURL(resolve(DIST, path)).href)

const { loadConfig } = await load('config/index.js')
const { createCloudClient } = await load('cloud/client.js')
const { apiMetricsObserver } = await load('engine/api-metrics.js')
const { createExporter } = await load('engine/exporter.js')
const { createExpositionRenderer } = await load('metrics/exposition.js')
const { createSelfMetrics } = await load('metrics/self-metrics.js')
const { buildSimulatorApp, createSimulatorState } = await load('simulator/index.js')

function seeded(seed) {
  let state = seed >>> 0
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/** A TimerClock whose time jumps from timer to timer; `idle` is awaited after each, before time moves. */
function createSteppedClock(startMs, idle) {
  let now = startMs
  let order = 0
  const timers = new Map()
  const settle = async () => {
    await new Promise((done) => setImmediate(done))
    await idle()
  }
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = {}
      timers.set(handle, { at: now + Math.max(0, ms), order: order++, callback })
      return handle
    },
    clearTimeout: (handle) => timers.delete(handle),
    async advance(ms) {
      const until = now + ms
      await settle()
      for (;;) {
        let best
        for (const pair of timers) {
          const entry = pair[1]
          if (entry.at > until) continue
          if (
            best === undefined ||
            entry.at < best[1].at ||
            (entry.at === best[1].at && entry.order < best[1].order)
          )
            best = pair
        }
        if (best === undefined) break
        timers.delete(best[0])
        now = best[1].at
        best[1].callback()
        await settle()
      }
      now = until
      await settle()
    }
  }
}

function withLatency(api, clock, random) {
  let inFlight = 0
  const wait = (ms) => new Promise((done) => clock.setTimeout(done, ms))
  const travel = async (call) => {
    // Whole milliseconds: the simulator stamps its samples with the time it reads.
    const total = Math.floor(random() * MAX_LATENCY_MS)
    const there = Math.floor(random() * total)
    await wait(there)
    inFlight++
    let result
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
  return {
    api: {
      currentUser: (signal) => travel(() => api.currentUser(signal)),
      organizations: (signal) => travel(() => api.organizations(signal)),
      organizationProjects: (id, signal) => travel(() => api.organizationProjects(id, signal)),
      organizationClusters: (id, signal) => travel(() => api.organizationClusters(id, signal)),
      quotas: (id, signal) => travel(() => api.quotas(id, signal)),
      currentConsumption: (id, signal) => travel(() => api.currentConsumption(id, signal)),
      orgMetrics: (id, signal, createSink) => travel(() => api.orgMetrics(id, signal, createSink)),
      credentials: () => api.credentials(),
      usage: () => api.usage(),
      close: () => api.close()
    },
    async idle() {
      for (let i = 0; inFlight > 0 && i < 60_000; i++) await new Promise((done) => setTimeout(done, 1))
    }
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

async function measure(mode, seed) {
  let idle = async () => undefined
  const clock = createSteppedClock(START_MS, () => idle())
  // The scheduler times its runs with performance.now(): it must read the stepped time too, as both
  // are the same time in production.
  performance.now = () => clock.now() - START_MS
  const simulatorClock = {
    kind: 'manual',
    speed: 0,
    // Whole milliseconds, as the simulator's own clocks read.
    now: () => Math.floor(clock.now()),
    advance() {
      throw new Error('the stepped clock moves time')
    }
  }
  const state = createSimulatorState({ seed: 7, clock: simulatorClock, settings: { rateLimit: mode } })
  const app = buildSimulatorApp(state, { adminToken: 'bench' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${app.server.address().port}`
  const credential = state.credentials()[0]
  const { config } = loadConfig({
    flags: new Map([['api.url', url]]),
    env: { CRATEDB_CLOUD_API_KEY: credential.key, CRATEDB_CLOUD_API_SECRET: credential.secret },
    readFile: () => {
      throw new Error('no files')
    }
  })
  const silent = pino({ level: 'silent' })
  const registry = new Registry()
  const metrics = createSelfMetrics({ registry, version: 'bench', revision: 'bench' })
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
  const slow = withLatency(client, clock, seeded(seed))
  idle = slow.idle
  const renderer = createExpositionRenderer({ selfRegistry: registry, clock })
  const exporter = createExporter({
    config,
    api: slow.api,
    logger: silent,
    clock,
    metrics,
    renderer,
    version: 'bench'
  })
  exporter.start()
  const organizations = state.organizations().map((organization) => organization.id)
  const lag = new Map()
  const ages = []
  const pattern =
    /^cratedb_cloud_org_metrics_newest_sample_timestamp_seconds\{organization_id="([^"]+)"\} (\S+)$/gm
  const end = START_MS + (CYCLES + 1) * WINDOW_MS
  // Ages are counted from the second window on, once every organization has had its first answer.
  while (clock.now() < end) {
    await clock.advance(1000)
    const text = renderer.current().text.toString()
    for (const match of text.matchAll(pattern)) {
      const id = match[1]
      const newest = Number(match[2]) * 1000
      if (!lag.has(id)) {
        const first = state.orgMetricsRequests(id).find((entry) => entry.outcome === 'fresh')
        lag.set(id, first.atMs - newest)
      }
      if (clock.now() >= START_MS + WINDOW_MS) ages.push({ age: clock.now() - newest, lag: lag.get(id) })
    }
  }
  await exporter.stop()
  await client.close()
  await app.close()
  let requests = 0
  let inside = 0
  let fresh = 0
  for (const id of organizations) {
    const log = state.orgMetricsRequests(id)
    requests += log.length
    fresh += log.filter((entry) => entry.outcome === 'fresh').length
    inside += log.slice(1).filter((entry) => entry.outcome !== 'fresh').length
  }
  const sorted = ages.map((entry) => entry.age).sort((a, b) => a - b)
  const overLag = ages.map((entry) => entry.age - entry.lag).sort((a, b) => a - b)
  return {
    mode,
    organizations: organizations.length,
    cycles: CYCLES,
    requests,
    fresh,
    inside,
    lagMs: [...new Set(lag.values())],
    ageMedianS: percentile(sorted, 0.5) / 1000,
    ageMaxS: sorted[sorted.length - 1] / 1000,
    ageOverLagMaxS: overLag[overLag.length - 1] / 1000
  }
}

const results = []
for (const [mode, seed] of [
  ['cache', 11],
  ['429', 12]
]) {
  results.push(await measure(mode, seed))
}
if (args.json) console.log(JSON.stringify(results, null, 2))
else {
  console.log(
    `build: ${DIST}; ${CYCLES} cycles of ${WINDOW_MS / 1000} s, 0-${MAX_LATENCY_MS / 1000} s latency per call`
  )
  console.log(
    '| limiter | requests (fresh) | inside the window | upstream lag | data age median | data age max | max minus lag |'
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const r of results) {
    const lags = r.lagMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')
    console.log(
      `| ${r.mode === 'cache' ? 're-serve (200)' : '429'} | ${r.requests} (${r.fresh}) | ${r.inside} | ${lags} | ${r.ageMedianS.toFixed(1)} s | ${r.ageMaxS.toFixed(1)} s | ${r.ageOverLagMaxS.toFixed(1)} s |`
    )
  }
}
process.exit(0)
