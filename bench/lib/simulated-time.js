// The exporter and the simulator in simulated time: one clock that jumps from timer to timer, an API
// that answers after a seeded 0-2 s of that time, and the real exporter polling the real simulator over
// loopback HTTP. Shared by the freshness section of the benchmark and the poll-budget tests; the
// exporter's modules are passed in (`parts`), so the tests run the sources and the benchmark a build.
// Types: simulated-time.d.ts.
import { setImmediate, setTimeout } from 'node:timers'

/**
 * A TimerClock whose time moves only through advance(ms): the timers due on the way fire in order of
 * due time (then of setting), and after each, `idle` is awaited before time moves on, so that work a
 * timer starts (even on a real socket) finishes at the time it started.
 */
export function createSteppedClock(startMs, { idle, maxTimersPerAdvance = Infinity } = {}) {
  let now = startMs
  let order = 0
  const timers = new Map()
  // setImmediate runs after every pending promise job and I/O callback, without moving any clock.
  const settle = async () => {
    await new Promise((resolve) => setImmediate(resolve))
    if (idle !== undefined) await idle()
  }
  const next = (until) => {
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
    return best
  }
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = {}
      timers.set(handle, { at: now + Math.max(0, ms), order: order++, callback })
      return handle
    },
    clearTimeout(handle) {
      timers.delete(handle)
    },
    async advance(ms) {
      const until = now + ms
      await settle()
      for (let fired = 0; ; fired++) {
        if (fired === maxTimersPerAdvance) throw new Error(`more than ${fired} timers in one advance`)
        const due = next(until)
        if (due === undefined) break
        timers.delete(due[0])
        now = due[1].at
        due[1].callback()
        await settle()
      }
      now = until
      await settle()
    },
    pending: () => timers.size
  }
}

/** A small deterministic generator in [0, 1), so that a run can be replayed. */
export function seeded(seed) {
  let state = seed >>> 0
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * The API as the exporter sees it over a slow network: every call waits 0-`maxLatencyMs` of the clock's
 * time in all, split at random between the way there and the way back. Only the loopback exchange in
 * between is real, and `idle()` (for the clock) waits for it. Calls are counted in `counts` by kind.
 */
export function withLatency(api, clock, random, { maxLatencyMs = 2000, counts = new Map() } = {}) {
  let inFlight = 0
  const wait = (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms))
  async function travel(what, call) {
    counts.set(what, (counts.get(what) ?? 0) + 1)
    // Whole milliseconds: the simulator stamps its samples with the time it reads.
    const total = Math.floor(random() * maxLatencyMs)
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
  const wrapped = {
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
  const idle = async () => {
    // Bounded: a loopback request of the simulator takes milliseconds.
    for (let i = 0; inFlight > 0 && i < 30_000; i++) await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return { api: wrapped, idle }
}

/**
 * The simulator (limiter `mode`, seed 7) listening on loopback and the exporter polling it through
 * withLatency(), both on one stepped clock that starts at `startMs`. The scheduler times its runs with
 * performance.now(): the caller makes it read the same time, as in production. The exporter is
 * created, not started.
 */
export async function startSimulatedExporter(
  parts,
  { startMs, mode, seed, maxLatencyMs, logger, maxTimersPerAdvance }
) {
  let idle = () => Promise.resolve()
  const clock = createSteppedClock(startMs, { idle: () => idle(), maxTimersPerAdvance })
  // The simulator reads the exporter's stepped time: both sides of the exchange share one clock.
  const simulatorClock = {
    kind: 'manual',
    speed: 0,
    // Whole milliseconds, as the simulator's own clocks read.
    now: () => Math.floor(clock.now()),
    advance() {
      throw new Error('the stepped clock moves time')
    }
  }
  const state = parts.createSimulatorState({ seed: 7, clock: simulatorClock, settings: { rateLimit: mode } })
  const app = parts.buildSimulatorApp(state, { adminToken: 'admin-token' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${app.server.address().port}`
  const credential = state.credentials()[0]
  const { config } = parts.loadConfig({
    flags: new Map([['api.url', url]]),
    env: { CRATEDB_CLOUD_API_KEY: credential.key, CRATEDB_CLOUD_API_SECRET: credential.secret },
    readFile: () => {
      throw new Error('no files')
    }
  })
  const registry = new parts.Registry()
  const metrics = parts.createSelfMetrics({ registry, version: 't', revision: 't' })
  const client = parts.createCloudClient({
    baseUrl: url,
    credentials: config.api.credentials,
    requestTimeoutMs: 30_000,
    maxResponseBytes: config.api.maxResponseBytes,
    maxConcurrency: config.api.maxConcurrency,
    logger,
    observer: parts.apiMetricsObserver(metrics),
    clock
  })
  const counts = new Map()
  const slow = withLatency(client, clock, seeded(seed), { maxLatencyMs, counts })
  idle = slow.idle
  const renderer = parts.createExpositionRenderer({ selfRegistry: registry, clock })
  const exporter = parts.createExporter({
    config,
    api: slow.api,
    logger,
    clock,
    metrics,
    renderer,
    version: 't'
  })
  return {
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
}
