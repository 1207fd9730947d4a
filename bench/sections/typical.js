// 7. A typical organization: the exporter polling the demo scenario (2 organizations, 10 clusters) against
// the floor of its stack, a bare fastify + pino + prom-client server, measured in the same run.
/* global fetch */
import { Buffer } from 'node:buffer'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'
import { benchEnv } from '../lib/exporter-parts.js'
import { startSimulatorChild } from '../lib/children.js'
import { command, table } from '../lib/markdown.js'
import { freePort } from '../lib/nginx.js'
import { BENCH_KEY, BENCH_SECRET, ROOT, SEED } from '../lib/payloads.js'
import { memoryOf, start } from '../lib/processes.js'
import { fixed, median, mib, ratio, sleep } from '../lib/stats.js'
import { IMAGE_ENV, IMAGE_ENV_TEXT } from './memory.js'

const STEADY_GOAL = 1.3
const PEAK_GOAL = 1.6
const READY_GOAL_SECONDS = 1.5
const POLL_MS = 20
const SAMPLE_MS = 250

const VARIANTS = [
  { label: 'Node.js defaults', env: {} },
  { label: `${IMAGE_ENV_TEXT} (the image)`, env: IMAGE_ENV }
]

const authorization = `Basic ${Buffer.from(`${BENCH_KEY}:${BENCH_SECRET}`).toString('base64')}`

/**
 * Polls `url` every POLL_MS until it answers 200. Resolves the seconds from `spawnedAt` to the first
 * answer of any status and to the first 200.
 */
async function waitReady(url, child, spawnedAt, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  let answered = null
  for (;;) {
    if (!child.running()) throw new Error(`process for ${url} exited early:\n${child.output()}`)
    try {
      const response = await fetch(url)
      await response.arrayBuffer()
      const at = (performance.now() - spawnedAt) / 1000
      answered ??= at
      if (response.status === 200) return { answered, ready: at }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} was not ready in time:\n${child.output()}`)
    await sleep(POLL_MS)
  }
}

/** Distinct cluster ids in the series of `family`. */
function clustersIn(text, family) {
  const ids = new Set()
  const pattern = new RegExp(`^${family}\\{[^}]*cluster_id="([^"]+)"`, 'gm')
  for (const match of text.matchAll(pattern)) ids.add(match[1])
  return ids.size
}

/**
 * Scrapes /metrics every `scrapeEverySeconds` for `seconds`, sampling the RSS every SAMPLE_MS. Resolves
 * the median RSS and the high-water mark of the process's whole life (start included).
 */
async function steadyMemory(pid, metricsUrl, { seconds, scrapeEverySeconds }) {
  const samples = []
  const sampler = setInterval(() => samples.push(memoryOf(pid).rss), SAMPLE_MS)
  let scrapes = 0
  try {
    const end = Date.now() + seconds * 1000
    while (Date.now() < end) {
      const response = await fetch(metricsUrl)
      if (response.status !== 200) throw new Error(`${metricsUrl}: HTTP ${response.status}`)
      await response.arrayBuffer()
      scrapes++
      await sleep(Math.min(scrapeEverySeconds * 1000, Math.max(0, end - Date.now())))
    }
  } finally {
    clearInterval(sampler)
  }
  return { steady: median(samples), peak: memoryOf(pid).hwm, scrapes }
}

async function measureBare(variant, plan) {
  const port = await freePort()
  const spawnedAt = performance.now()
  const child = start(process.execPath, [join(ROOT, 'bench/lib/bare-fastify.js'), String(port)], {
    env: { ...process.env, ...variant.env }
  })
  try {
    const url = `http://127.0.0.1:${port}/metrics`
    const { answered } = await waitReady(url, child, spawnedAt)
    return { ready: answered, ...(await steadyMemory(child.pid, url, plan)) }
  } finally {
    await child.stop()
  }
}

async function measureExporter(variant, plan) {
  const simulator = await startSimulatorChild({
    seed: SEED,
    scenario: { kind: 'demo' },
    credentials: [{ key: BENCH_KEY, secret: BENCH_SECRET }]
  })
  try {
    const probe = await fetch(`${simulator.url}/api/v2/organizations/`, { headers: { authorization } })
    if (probe.status !== 200) throw new Error(`the simulator answered HTTP ${probe.status}`)
    const organizations = (await probe.json()).length
    const simulatorAnswered = performance.now()
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const spawnedAt = performance.now()
    const child = start(
      process.execPath,
      [
        join(ROOT, 'dist/cli.js'),
        'run',
        `--web.listen-address=127.0.0.1:${port}`,
        `--api.url=${simulator.url}`,
        '--log.format=json'
      ],
      { env: { ...process.env, ...benchEnv, ...variant.env } }
    )
    try {
      const { answered, ready } = await waitReady(`${url}/readyz`, child, spawnedAt)
      const text = await (await fetch(`${url}/metrics`)).text()
      const memory = await steadyMemory(child.pid, `${url}/metrics`, plan)
      return {
        listening: answered,
        ready,
        readyAfterApi: ready + (spawnedAt - simulatorAnswered) / 1000,
        organizations,
        clusters: clustersIn(text, 'cratedb_cloud_cluster_info'),
        clustersWithNodeData: clustersIn(text, 'cratedb_cloud_node_cpu_seconds_total'),
        ...memory
      }
    } finally {
      await child.stop()
    }
  } finally {
    await simulator.stop()
  }
}

export async function typicalSection({ seconds, scrapeEverySeconds, reps, log }) {
  const plan = { seconds, scrapeEverySeconds }
  const results = []
  for (const variant of VARIANTS) {
    const bare = []
    const exporter = []
    for (let rep = 0; rep < reps; rep++) {
      // Alternated, so that a slow moment of the shared machine does not fall on one side only.
      const order = rep % 2 === 0 ? ['bare', 'exporter'] : ['exporter', 'bare']
      for (const which of order) {
        log(`typical: ${which}, ${variant.label}, run ${rep + 1}/${reps}`)
        if (which === 'bare') bare.push(await measureBare(variant, plan))
        else exporter.push(await measureExporter(variant, plan))
      }
    }
    results.push({ variant, bare, exporter })
  }
  return render(results, { seconds, scrapeEverySeconds, reps })
}

function medianOf(runs, key) {
  return median(runs.map((run) => run[key]))
}

function render(results, { seconds, scrapeEverySeconds, reps }) {
  const rows = []
  const goals = []
  for (const { variant, bare, exporter } of results) {
    const floor = { steady: medianOf(bare, 'steady'), peak: medianOf(bare, 'peak') }
    const own = {
      steady: medianOf(exporter, 'steady'),
      peak: medianOf(exporter, 'peak'),
      ready: medianOf(exporter, 'ready'),
      readyAfterApi: medianOf(exporter, 'readyAfterApi')
    }
    const steadyRatio = own.steady / floor.steady
    const peakRatio = own.peak / floor.peak
    const clusters = exporter.map((run) => `${run.clusters} (${run.clustersWithNodeData})`).join(', ')
    rows.push({
      'Node.js': variant.label,
      process: 'bare fastify + pino + prom-client default metrics',
      'listening after spawn': `${fixed(medianOf(bare, 'ready'), 2)} s`,
      'ready after spawn': `${fixed(medianOf(bare, 'ready'), 2)} s`,
      'ready after the API answered': 'n/a',
      'clusters in /metrics at ready (with node data)': 'n/a',
      'steady RSS (median)': mib(floor.steady),
      'peak RSS (VmHWM)': mib(floor.peak),
      '× bare (steady / peak)': ''
    })
    rows.push({
      'Node.js': variant.label,
      process: 'exporter (node dist/cli.js run), demo scenario',
      'listening after spawn': `${fixed(medianOf(exporter, 'listening'), 2)} s`,
      'ready after spawn': `${fixed(own.ready, 2)} s`,
      'ready after the API answered': `${fixed(own.readyAfterApi, 2)} s`,
      'clusters in /metrics at ready (with node data)': clusters,
      'steady RSS (median)': mib(own.steady),
      'peak RSS (VmHWM)': mib(own.peak),
      '× bare (steady / peak)': `${ratio(steadyRatio)} / ${ratio(peakRatio)}`
    })
    goals.push(
      {
        what: `typical (${variant.label}): steady RSS ${ratio(steadyRatio)} the bare server's (≤ ${STEADY_GOAL}×): ${mib(own.steady)} against ${mib(floor.steady)}`,
        ok: steadyRatio <= STEADY_GOAL
      },
      {
        what: `typical (${variant.label}): peak RSS ${ratio(peakRatio)} the bare server's (≤ ${PEAK_GOAL}×): ${mib(own.peak)} against ${mib(floor.peak)}`,
        ok: peakRatio <= PEAK_GOAL
      },
      {
        // The figure includes Node.js's start and the loading of fastify, pino and prom-client: the bare
        // server's own time to listen in this run is that floor.
        what: `typical (${variant.label}): ready ${fixed(own.readyAfterApi, 2)} s after the API answered (≤ ${READY_GOAL_SECONDS} s; the bare server took ${fixed(medianOf(bare, 'ready'), 2)} s to listen, the exporter ${fixed(own.ready - medianOf(exporter, 'listening'), 2)} s from listening to ready)`,
        ok: own.readyAfterApi <= READY_GOAL_SECONDS
      }
    )
  }
  const markdown = `## 8. A typical organization: the demo scenario against the floor of the stack

The simulator serves its demo scenario (2 organizations, 10 clusters: healthy, YELLOW, UNREACHABLE,
suspended, nearly full and busy) in a process of its own; once it answers, \`node dist/cli.js run\` is
started against it with its default settings (intervals of 60 s, log level info, JSON lines). Beside it,
in the same run, the floor of this stack: \`bench/lib/bare-fastify.js\`, a fastify server with a pino
logger and prom-client's default metrics (\`collectDefaultMetrics\`) serving /metrics, nothing else.

- **Ready** is the exporter's own readiness: the first 200 of \`/readyz\`, which it gives once the
  rendering that holds the first complete collection (the inventory, then every organization's
  collectors) is the one /metrics serves. Timed from the spawn of the process, polled every ${POLL_MS} ms;
  "after the API answered" counts from the simulator's first answer, which comes before the spawn. The
  bare server is ready at its first answer on /metrics.
- **Steady RSS** is the median of VmRSS sampled every ${SAMPLE_MS} ms while /metrics is scraped every
  ${scrapeEverySeconds} s for ${seconds} s after ready (the first polls done); **peak** is VmHWM, the
  high-water mark over the whole life of the process, start included.
- Medians of ${reps} run${reps === 1 ? '' : 's'} per process and setting, bare and exporter alternated.
  The clusters column counts the distinct cluster_id of \`cratedb_cloud_cluster_info\` in the first
  /metrics after ready (in brackets, of \`cratedb_cloud_node_cpu_seconds_total\`, the org metrics:
  the suspended cluster has no running node).

${table(rows)}
${command(`node bench/run.js --sections typical   # the exporter: node dist/cli.js run --api.url=<simulator> --log.format=json
node bench/lib/bare-fastify.js PORT               # the floor`)}`
  return { markdown, goals, rows }
}
