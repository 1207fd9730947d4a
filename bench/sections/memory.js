// 4. Memory: RSS of the exporter process polling a large organization, several poll cycles.
import { clearInterval, setInterval } from 'node:timers'
import { collectorValue, startExporterChild, startSimulatorChild, waitForCollector } from '../lib/children.js'
import { command, table } from '../lib/markdown.js'
import { simulatorOptions } from '../lib/payloads.js'
import { memoryOf } from '../lib/processes.js'
import { MB, median, mib, ms, verdict } from '../lib/stats.js'

const GOAL_BYTES = 256 * MB

/** How the Docker image runs Node.js (Dockerfile ENV NODE_OPTIONS): a small young generation. */
export const IMAGE_NODE_OPTIONS = '--max-semi-space-size=2'

const VARIANTS = [
  { label: 'Node.js defaults (npx, node dist/cli.js)', env: {} },
  {
    label: `as the Docker image runs it (NODE_OPTIONS=${IMAGE_NODE_OPTIONS})`,
    env: { NODE_OPTIONS: IMAGE_NODE_OPTIONS }
  }
]

export async function memorySection({ clusters, bodyBytes, intervalSeconds, cycles, log }) {
  const windowMs = Math.max(500, (intervalSeconds * 1000) / 2)
  const simulator = await startSimulatorChild(simulatorOptions(clusters, 1, windowMs))
  try {
    const rows = []
    for (const variant of VARIANTS) {
      log(`memory: exporter polling ${clusters} clusters every ${intervalSeconds} s, ${variant.label}`)
      rows.push(await measure({ simulator, clusters, bodyBytes, intervalSeconds, cycles, variant }))
    }
    const ok = rows.at(-1)?.ok === true
    const tableRows = rows.map(({ ok: _ok, ...row }) => row)
    const markdown = `## 4. Memory: the exporter process polling ${clusters} clusters

\`node dist/cli.js run\` in a process of its own (its RSS alone, read from /proc/<pid>/status every
100 ms; the peak is the kernel's VmHWM over the process's whole life, start included), against the
simulator in another process. For the bench, both the org_metrics and the inventory intervals are
shortened to ${intervalSeconds} s (default 60 s) and the simulator's rate-limit window to ${windowMs} ms
(default 60 s), so that ${cycles} poll cycles take about ${cycles * intervalSeconds} s: the exporter reads
${intervalSeconds < 60 ? `${Math.round(60 / intervalSeconds)}×` : ''} more org-endpoint text per minute than at its default interval.
Goal: peak RSS < 256 MiB, as the image runs it (the Dockerfile sets \`NODE_OPTIONS=${IMAGE_NODE_OPTIONS}\`:
a 2 MiB young generation is collected more often, which keeps the garbage of streaming a large body
small, at some CPU cost visible in the run time).

${table(tableRows)}
${command(`npm run bench   # section "memory"; the exporter: node dist/cli.js run --collector.org_metrics.interval=${intervalSeconds}s --collector.inventory.interval=${intervalSeconds}s --api.url=<simulator>`)}`
    return {
      markdown,
      goals: [{ what: 'memory: peak RSS < 256 MiB (as the image runs it)', ok }],
      rows: tableRows
    }
  } finally {
    await simulator.stop()
  }
}

async function measure({ simulator, clusters, bodyBytes, intervalSeconds, cycles, variant }) {
  const flags = {
    'collector.org_metrics.interval': `${intervalSeconds}s`,
    'api.org-metrics-window': `${intervalSeconds}s`,
    'collector.inventory.interval': `${intervalSeconds}s`
  }
  const exporter = await startExporterChild(simulator.url, flags, { timeoutMs: 300_000, env: variant.env })
  try {
    const samples = []
    const durations = []
    let runs = 1
    const sampler = setInterval(() => samples.push(memoryOf(exporter.pid).rss), 100)
    try {
      while (runs < cycles + 1) {
        await waitForCollector(exporter.url, 'org_metrics', runs + 1, { timeoutMs: intervalSeconds * 20_000 })
        runs++
        durations.push(
          await collectorValue(exporter.url, 'cratedb_cloud_collector_duration_seconds', 'org_metrics')
        )
      }
    } finally {
      clearInterval(sampler)
    }
    const { hwm } = memoryOf(exporter.pid)
    const failures = await collectorValue(
      exporter.url,
      'cratedb_cloud_collector_failures_total',
      'org_metrics'
    )
    const ok = hwm < GOAL_BYTES
    const perMinute = bodyBytes === undefined ? 'n/a' : mib((bodyBytes * 60) / intervalSeconds, 0)
    return {
      ok,
      'Node.js': variant.label,
      clusters,
      'poll interval': `${intervalSeconds} s`,
      'org payload': bodyBytes === undefined ? 'n/a' : mib(bodyBytes),
      'text per minute at this interval': perMinute,
      'poll cycles measured': `${cycles} after the first`,
      'org_metrics run (median)': ms(median(durations), 0),
      'failed runs': failures ?? 0,
      'peak RSS (VmHWM)': mib(hwm, 0),
      'steady RSS (median of samples)': mib(median(samples), 0),
      'RSS range while polling': `${mib(Math.min(...samples), 0)} – ${mib(Math.max(...samples), 0)}`,
      goal: `peak < 256 MiB: ${verdict(ok)}`
    }
  } finally {
    await exporter.stop()
  }
}
