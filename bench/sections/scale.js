// 8. Scale: one organization of 10,000 clusters (about 1.3 GB of org metrics text a minute), polled by
// `node dist/cli.js run` at its default interval; Prometheus does not scrape it. The simulator's own
// speed at producing the body is measured first, since the row means nothing if the API stand-in is
// the slow part.
/* global fetch */
import { request } from 'undici'
import { clearInterval, setInterval } from 'node:timers'
import { spawnExporterChild, startSimulatorChild } from '../lib/children.js'
import { command, table } from '../lib/markdown.js'
import { benchAuthorization, simulatorOptions } from '../lib/payloads.js'
import { cpuSecondsOf, memoryOf } from '../lib/processes.js'
import { MB, fixed, mib, secondsSince, sleep, verdict, now } from '../lib/stats.js'

const GIB = 1024 * MB

/**
 * `clusters` in one organization; the org_metrics interval and the simulator's rate-limit window are
 * both `intervalSeconds` (60 s, the defaults, in the full run); `cycles` polls are measured after the
 * first. `quick`: rows are labelled as a check that the section runs, and no goal is claimed from them.
 */
export async function scaleSection({ clusters, intervalSeconds, cycles, quick, log }) {
  const simulator = await startSimulatorChild(simulatorOptions(clusters, 1, intervalSeconds * 1000))
  try {
    log(`scale: the simulator producing the body of ${clusters} clusters`)
    const organizationId = await firstOrganization(simulator.url)
    const bodies = []
    for (const label of ['first body', 'second body (same snapshot, inside the window)'])
      bodies.push({ label, ...(await readBody(simulator, organizationId)) })
    log(`scale: the exporter polling ${clusters} clusters every ${intervalSeconds} s, Node.js defaults`)
    const run = await pollRun({ simulator, intervalSeconds, cycles, log })
    return report({ clusters, intervalSeconds, cycles, quick, bodies, run })
  } finally {
    await simulator.stop()
  }
}

async function firstOrganization(url) {
  const response = await request(`${url}/api/v2/organizations/`, {
    headers: { authorization: benchAuthorization, accept: 'application/json' }
  })
  const organizations = await response.body.json()
  if (response.statusCode !== 200) throw new Error(`organizations: HTTP ${response.statusCode}`)
  return organizations[0].id
}

/**
 * GETs the org metrics body once, counting its bytes as they arrive: wall time, and the simulator
 * process's CPU time (steadier than the wall on a shared machine). Inside the rate-limit window the
 * simulator renders the same snapshot again.
 */
async function readBody(simulator, organizationId) {
  const cpuBefore = cpuSecondsOf(simulator.pid)
  const started = now()
  const response = await request(
    `${simulator.url}/api/v2/organizations/${organizationId}/metrics/prometheus/`,
    {
      headers: { authorization: benchAuthorization },
      bodyTimeout: 600_000,
      headersTimeout: 600_000
    }
  )
  let bytes = 0
  for await (const chunk of response.body) bytes += chunk.length
  const seconds = secondsSince(started)
  if (response.statusCode !== 200) throw new Error(`org metrics: HTTP ${response.statusCode}`)
  return { bytes, seconds, cpuSeconds: cpuSecondsOf(simulator.pid) - cpuBefore }
}

/**
 * Starts the exporter with Node.js defaults and reads its /status (not /metrics: nothing scrapes the
 * exporter), recording each org_metrics run; RSS is sampled every 100 ms, and the peak is
 * the kernel's VmHWM over the process's whole life.
 */
async function pollRun({ simulator, intervalSeconds, cycles, log }) {
  const flags = {
    'collector.org_metrics.interval': `${intervalSeconds}s`,
    'api.org-metrics-window': `${intervalSeconds}s`
  }
  const startedAt = Date.now()
  // Nothing reads its /metrics (startExporterChild would): a scrape of 10,000 clusters' series is not
  // part of what is measured.
  const exporter = await spawnExporterChild(simulator.url, flags, { timeoutMs: 600_000 })
  const readySeconds = (Date.now() - startedAt) / 1000
  const samples = []
  const sampler = setInterval(() => samples.push(memoryOf(exporter.pid).rss), 100)
  try {
    const runs = new Map()
    // The exporter's CPU seconds when each run was seen ended: steadier than its wall time here.
    const cpu = []
    let status = null
    // /status lists every cluster: at 10,000 it costs the exporter a few hundred ms, so it is read
    // every 5 s there (runs are a minute apart), every second in the quick run.
    const statusPeriodMs = Math.min(5000, intervalSeconds * 500)
    const deadline = Date.now() + (cycles + 3) * intervalSeconds * 1000 + 120_000
    while (runs.size < cycles + 1) {
      if (!exporter.running()) throw new Error(`the exporter exited:\n${exporter.output()}`)
      if (Date.now() > deadline)
        throw new Error(`scale: ${runs.size} org_metrics runs seen in time:\n${exporter.output()}`)
      status = await (await fetch(`${exporter.url}/status`)).json()
      const collector = status.collectors.find((c) => c.collector === 'org_metrics')
      // lastRunAt is set when a run starts, its duration when it ends, and nextRunAt once it has ended.
      const ended = collector?.lastRunAt != null && collector.nextRunAt != null
      if (ended && !runs.has(collector.lastRunAt)) {
        runs.set(collector.lastRunAt, {
          at: collector.lastRunAt,
          seconds: collector.lastDurationSeconds,
          success: collector.success === true,
          error: collector.lastErrorMessage
        })
        cpu.push(cpuSecondsOf(exporter.pid))
      }
      await sleep(statusPeriodMs)
    }
    const { hwm } = memoryOf(exporter.pid)
    const dropped = status.organizations.map((o) => o.orgMetricsDroppedNodes).filter((d) => d !== null)
    log(`scale: ${runs.size} runs, peak RSS ${mib(hwm, 0)}`)
    const cpuPerRun = (cpu.at(-1) - cpu[0]) / (cpu.length - 1)
    return { readySeconds, runs: [...runs.values()], hwm, samples, dropped, cpuPerRun }
  } finally {
    clearInterval(sampler)
    await exporter.stop()
  }
}

function report({ clusters, intervalSeconds, cycles, quick, bodies, run }) {
  const next = bodies[1]
  const body = next.bytes
  const measured = run.runs.slice(1)
  const slowest = Math.max(...measured.map((r) => r.seconds))
  const failed = run.runs.filter((r) => !r.success)
  const droppedNodes = run.dropped.reduce((sum, d) => sum + Object.values(d).reduce((a, b) => a + b, 0), 0)
  const spacing = run.runs.slice(1).map((r, k) => (r.at - run.runs[k].at) / 1000)
  const withinInterval = failed.length === 0 && slowest < intervalSeconds && droppedNodes === 0
  const underGiB = run.hwm < GIB
  const size = quick ? `${clusters} clusters, quick: not the 10,000-cluster goal` : `${clusters} clusters`
  const simulatorRows = bodies.map((b) => ({
    simulator: b.label,
    clusters,
    body: `${fixed(b.bytes / 1e6, 0)} MB`,
    'wall time': `${fixed(b.seconds, 1)} s`,
    'MB/s (wall)': fixed(b.bytes / 1e6 / b.seconds, 0),
    'simulator CPU': `${fixed(b.cpuSeconds, 1)} s`,
    'MB/s (simulator CPU)': fixed(b.bytes / 1e6 / b.cpuSeconds, 0),
    'share of the interval': `${fixed((100 * b.seconds) / intervalSeconds, 0)} %`
  }))
  const exporterRow = {
    exporter: 'node dist/cli.js run, Node.js defaults',
    clusters,
    'org payload': `${fixed(body / 1e6, 0)} MB`,
    'interval = rate-limit window': `${intervalSeconds} s`,
    'ready after start': `${fixed(run.readySeconds, 1)} s`,
    'first run': `${fixed(run.runs[0].seconds, 1)} s`,
    [`runs measured (${cycles} after the first)`]: measured.map((r) => fixed(r.seconds, 1)).join(', ') + ' s',
    'slowest measured run': `${fixed(slowest, 1)} s`,
    'exporter CPU per measured cycle': `${fixed(run.cpuPerRun, 1)} s`,
    'time between runs': spacing.map((s) => fixed(s, 0)).join(', ') + ' s',
    'failed runs': failed.length,
    'nodes dropped': droppedNodes,
    'peak RSS (VmHWM)': mib(run.hwm, 0),
    'RSS range while polling': `${mib(Math.min(...run.samples), 0)} – ${mib(Math.max(...run.samples), 0)}`,
    goal: quick
      ? 'n/a (quick)'
      : `runs < ${intervalSeconds} s, none failed, none dropped: ${verdict(withinInterval)}; peak < 1 GiB: ${verdict(underGiB)}`
  }
  const failures = failed.map((r) => `- run at ${new Date(r.at).toISOString()}: ${r.error}`).join('\n')
  const markdown = `## 9. Scale: one organization of ${size}

One organization of ${clusters} clusters in the simulator, whose org metrics body
(${fixed(body / 1e6, 0)} MB) the exporter reads once per interval: \`node dist/cli.js run\` with Node.js
defaults (no NODE_OPTIONS), in a process of its own, its org_metrics interval and the simulator's
rate-limit window both ${intervalSeconds} s${intervalSeconds === 60 ? ' (the defaults)' : ' (shortened for the quick run; the defaults are 60 s)'}.
Nothing scrapes the exporter: the bench reads its \`/status\` every ${Math.min(5, intervalSeconds / 2)} s for the runs' durations,
and its RSS from /proc every 100 ms. A run must end within the interval, since the next one is due then.

The simulator first, read over HTTP by the bench alone (a slow stand-in would make the exporter's row
meaningless): the second read, inside the rate-limit window, renders the same snapshot again, as the
exporter's polls get it.

${table(simulatorRows)}
${table([exporterRow])}
On this machine the simulator and the exporter share two cores (with whatever else runs). They work
in parallel as the body streams, so a run takes at least the larger of the simulator's CPU for a body
(${fixed(next.cpuSeconds, 1)} s) and the exporter's for a cycle (${fixed(run.cpuPerRun, 1)} s: reading and parsing the body,
the inventory, the bench's /status reads), ${fixed(Math.max(next.cpuSeconds, run.cpuPerRun), 1)} s, and more when other processes take the cores;
the exporter's 50 s org_metrics deadline (collectors.org_metrics.timeout) fails a slower one.
${failures === '' ? '' : `\nFailed runs:\n\n${failures}\n`}
${command(`npm run bench   # section "scale"; node bench/run.js --sections scale --out /tmp/scale.md`)}`
  const goals = quick
    ? []
    : [
        {
          what: `scale: ${clusters} clusters, every poll within the ${intervalSeconds} s interval (= rate-limit window), none failed, no node dropped (slowest ${fixed(slowest, 1)} s)`,
          ok: withinInterval
        },
        {
          what: `scale: ${clusters} clusters, peak RSS < 1 GiB with Node.js defaults (${mib(run.hwm, 0)})`,
          ok: underGiB
        }
      ]
  return { markdown, goals, rows: [...simulatorRows, exporterRow] }
}
