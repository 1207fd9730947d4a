// 6. Freshness: the age of the organization metrics on /metrics, and the org-metrics requests that reach
// the API inside its rate-limit window, per limiter mode, over many poll cycles in simulated time.
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { startSimulatedExporter } from '../lib/simulated-time.js'
import { command, table } from '../lib/markdown.js'
import { ROOT } from '../lib/payloads.js'
import { fixed } from '../lib/stats.js'

const WINDOW_MS = 60_000
const MAX_LATENCY_MS = 2000
const START_MS = Date.UTC(2026, 4, 13, 10, 0, 0)
/** A run is fresh when its data is never older than the upstream lag + the window + this. */
const AGE_ALLOWANCE_MS = 65_000
export const MODES = [
  ['cache', 11],
  ['429', 12]
]

/** The exporter's modules from a build: dist/ of this tree, or `dist` (e.g. of an older commit). */
export async function exporterParts(dist = resolve(ROOT, 'dist')) {
  const load = (path) => import(pathToFileURL(resolve(dist, path)).href)
  const [config, client, apiMetrics, exporter, exposition, selfMetrics, simulator] = await Promise.all([
    load('config/index.js'),
    load('cloud/client.js'),
    load('engine/api-metrics.js'),
    load('engine/exporter.js'),
    load('metrics/exposition.js'),
    load('metrics/self-metrics.js'),
    load('simulator/index.js')
  ])
  return {
    loadConfig: config.loadConfig,
    createCloudClient: client.createCloudClient,
    apiMetricsObserver: apiMetrics.apiMetricsObserver,
    createExporter: exporter.createExporter,
    createExpositionRenderer: exposition.createExpositionRenderer,
    createSelfMetrics: selfMetrics.createSelfMetrics,
    buildSimulatorApp: simulator.buildSimulatorApp,
    createSimulatorState: simulator.createSimulatorState,
    Registry
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

/** One limiter mode over `cycles` windows: requests, upstream lag and data ages. */
export async function measureFreshness(parts, mode, seed, cycles) {
  const run = await startSimulatedExporter(parts, {
    startMs: START_MS,
    mode,
    seed,
    maxLatencyMs: MAX_LATENCY_MS,
    logger: pino({ level: 'silent' })
  })
  const { clock, exporter, state } = run
  // The scheduler times its runs with performance.now(): it must read the stepped time too, as both
  // are the same time in production.
  const realNow = performance.now
  performance.now = () => clock.now() - START_MS
  try {
    exporter.start()
    const organizations = state.organizations().map((organization) => organization.id)
    const lag = new Map()
    const ages = []
    const pattern =
      /^cratedb_cloud_org_metrics_newest_sample_timestamp_seconds\{organization_id="([^"]+)"\} (\S+)$/gm
    const end = START_MS + (cycles + 1) * WINDOW_MS
    // Ages are counted from the second window on, once every organization has had its first answer.
    while (clock.now() < end) {
      await clock.advance(1000)
      for (const match of run.text().matchAll(pattern)) {
        const id = match[1]
        const newest = Number(match[2]) * 1000
        if (!lag.has(id)) {
          const first = state.orgMetricsRequests(id).find((entry) => entry.outcome === 'fresh')
          lag.set(id, first.atMs - newest)
        }
        if (clock.now() >= START_MS + WINDOW_MS) ages.push({ age: clock.now() - newest, lag: lag.get(id) })
      }
    }
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
      cycles,
      requests,
      fresh,
      inside,
      lagMs: [...new Set(lag.values())],
      ageMedianS: percentile(sorted, 0.5) / 1000,
      ageMaxS: sorted[sorted.length - 1] / 1000,
      ageOverLagMaxS: overLag[overLag.length - 1] / 1000
    }
  } finally {
    await run.close()
    performance.now = realNow
  }
}

export const modeLabel = (mode) => (mode === 'cache' ? 're-serve (200)' : '429 + Retry-After')

export function freshnessRow(r) {
  return {
    limiter: modeLabel(r.mode),
    organizations: r.organizations,
    'cycles of 60 s': r.cycles,
    'requests (fresh)': `${r.requests} (${r.fresh})`,
    'inside the window': r.inside,
    'upstream lag': r.lagMs.map((lag) => `${fixed(lag / 1000, 1)} s`).join(', '),
    'data age median': `${fixed(r.ageMedianS, 1)} s`,
    'data age max': `${fixed(r.ageMaxS, 1)} s`,
    'max minus upstream lag': `${fixed(r.ageOverLagMaxS, 1)} s`
  }
}

export async function freshnessSection({ cycles, quick, log }) {
  const parts = await exporterParts()
  const results = []
  for (const [mode, seed] of MODES) {
    log(`freshness: ${cycles} cycles of 60 s in simulated time, limiter ${mode}`)
    results.push(await measureFreshness(parts, mode, seed, cycles))
  }
  const rows = results.map(freshnessRow)
  const noneInside = results.every((r) => r.inside === 0)
  const young = results.every((r) => r.ageOverLagMaxS * 1000 <= AGE_ALLOWANCE_MS)
  const markdown = `## 6. Freshness: data age and requests inside the rate-limit window

The exporter (config, API client, collectors, scheduler, renderer) polls the simulator (demo scenario)
over loopback HTTP for ${cycles} cycles of 60 s, once per limiter mode. Both read one simulated clock
that jumps from timer to timer (the scheduler's \`performance.now()\` reads it too), so a run takes
seconds. Every API call waits 0–2 s of simulated time (seeded), split at random between the way there
and the way back. *Data age* is \`time() - cratedb_cloud_org_metrics_newest_sample_timestamp_seconds\`
read from the rendered /metrics every simulated second from the second minute on, over every
organization; *upstream lag* is the simulator's answer time minus the newest sample of its body;
*inside the window* counts the org-metrics requests after each organization's first that the
simulator re-served or throttled. The floor, upstream lag + 60 s window + 1 s margin + the latency of
the answers, is explained in docs/configuration.md ("The org_metrics schedule"); the goal allows
${AGE_ALLOWANCE_MS / 1000} s over the lag.${quick ? ' **Quick run: fewer cycles, no goal claimed.**' : ''}

${table(rows)}
${command('npm run bench   # section "freshness"; another build: node bench/freshness.js --dist DIR')}
In real time, \`test/e2e/poll-budget.test.ts\` (exporter and simulator processes, both modes, 250 s,
a real Prometheus with the shipped rules) checks the same: every request answered fresh, the data
age below upstream lag + 65 s, \`CrateDBCloudApiThrottled\` inactive.
`
  const goals = quick
    ? []
    : [
        {
          what: 'freshness: no org-metrics request inside the rate-limit window, both limiter modes',
          ok: noneInside
        },
        {
          what: `freshness: data age ≤ upstream lag + ${AGE_ALLOWANCE_MS / 1000} s, both limiter modes (max ${fixed(Math.max(...results.map((r) => r.ageOverLagMaxS)), 1)} s)`,
          ok: young
        }
      ]
  return { markdown, goals, rows }
}
