// 4. Memory: RSS of the exporter process polling a large organization, several poll cycles.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'
import { collectorValue, startExporterChild, startSimulatorChild, waitForCollector } from '../lib/children.js'
import { benchEnv } from '../lib/exporter-parts.js'
import { command, table } from '../lib/markdown.js'
import { freePort } from '../lib/nginx.js'
import { ROOT, simulatorOptions } from '../lib/payloads.js'
import { findNode24, memoryOf, start, waitForHttp } from '../lib/processes.js'
import { MB, median, mib, ms, sleep, verdict } from '../lib/stats.js'

/** How the Docker image runs Node.js (Dockerfile ENV): glibc's allocator settings. */
export const IMAGE_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' }
export const IMAGE_ENV_TEXT = Object.entries(IMAGE_ENV)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ')

/**
 * Both settings on this process's Node.js and, when a binary is found (bench/lib/processes.js
 * findNode24), on Node.js 24, the version the image ships: its own binary and heap differ.
 */
function variants() {
  const nodes = [{ node: process.execPath, version: process.version }]
  const node24 = findNode24()
  if (node24 !== null && node24 !== process.execPath) {
    nodes.push({
      node: node24,
      version: spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim()
    })
  }
  return nodes.flatMap(({ node, version }) => [
    {
      node,
      version,
      label: 'defaults (npx, node dist/cli.js)',
      env: {},
      goalBytes: 200 * MB,
      goal: `with Node.js defaults on ${version}`
    },
    {
      node,
      version,
      label: `as the Docker image runs it (${IMAGE_ENV_TEXT})`,
      env: IMAGE_ENV,
      goalBytes: 160 * MB,
      goal: `as the image runs it, on ${version}`
    }
  ])
}

export async function memorySection({ clusters, bodyBytes, intervalSeconds, cycles, log }) {
  const windowMs = Math.max(500, (intervalSeconds * 1000) / 2)
  const simulator = await startSimulatorChild(simulatorOptions(clusters, 1, windowMs))
  try {
    const rows = []
    const measured = variants()
    for (const variant of measured) {
      log(
        `memory: exporter polling ${clusters} clusters every ${intervalSeconds} s, ${variant.version} ${variant.label}`
      )
      const idle = await idleRss(variant)
      rows.push({
        ...(await measure({ simulator, clusters, bodyBytes, intervalSeconds, cycles, variant })),
        'RSS with no data (the floor)': mib(idle, 0)
      })
    }
    const tableRows = rows.map(({ ok: _ok, ...row }) => row)
    const markdown = `## 4. Memory: the exporter process polling ${clusters} clusters

\`node dist/cli.js run\` in a process of its own (its RSS alone, read from /proc/<pid>/status every
100 ms; the peak is the kernel's VmHWM over the process's whole life, start included), against the
simulator in another process. For the bench, both the org_metrics and the inventory intervals are
shortened to ${intervalSeconds} s (default 60 s) and the simulator's rate-limit window to ${windowMs} ms
(default 60 s), so that ${cycles} poll cycles take about ${cycles * intervalSeconds} s: the exporter reads
${intervalSeconds < 60 ? `${Math.round(60 / intervalSeconds)}×` : ''} more org-endpoint text per minute than at its default interval.
Goals: peak RSS < 200 MiB with Node.js's defaults (what \`npx\` and \`node dist/cli.js\` users get), < 160 MiB
as the image runs it (the Dockerfile sets \`${IMAGE_ENV_TEXT}\`), each on this machine's Node.js and on
Node.js 24, the version the image ships (its binary alone is about 12 MiB more resident than the
machine's; the rows are missing when no Node.js 24 binary is found: \`CCE_NODE24=/path/to/node\`).

Streaming a large body and replacing a poll's families make garbage fast. Left to Node.js's defaults,
V8 doubles the young generation up to 16 MiB semi-spaces and lets the old generation grow to a few
times its live size before a full collection frees the poll before last. So \`dist/cli.js\` sets two
V8 flags for itself before it loads its modules (src/cli/heap-tuning.ts), each unless NODE_OPTIONS or
node's command line set one of the same purpose: \`--semi-space-growth-factor=1\` (the young generation
keeps its initial 1 MiB semi-spaces) and \`--heap-growing-percent=50\` (a full collection once the old
generation is 1.5 × what the last one left). Both cost CPU, visible in the run time. The image adds
glibc's allocator settings: two arenas instead of eight per core, and every block of 128 KiB or more
mmapped, so that freed large Buffers go back to the system instead of staying in fragmented arenas
(glibc otherwise raises that threshold as large blocks are freed). What no setting removes (the floor): the
process with its modules loaded and no data (last column: the same program pointed at a port nobody
listens on), the live heap of a poll's families and their rendering (for 1,000 clusters 32 MiB of heap,
of which 14 MiB with no families, and 43 MiB while the next poll's families are built beside them) and
the rendering's sample lines (13 MB of Buffers): \`node
--expose-gc bench/live-heap.js\` measures these after full collections.

${table(tableRows)}
${command(`npm run bench   # section "memory"; the exporter: node dist/cli.js run --collector.org_metrics.interval=${intervalSeconds}s --collector.inventory.interval=${intervalSeconds}s --api.url=<simulator>`)}`
    return {
      markdown,
      goals: rows.map((row, index) => ({
        what: `memory: peak RSS < ${mib(measured[index].goalBytes, 0)} ${measured[index].goal} (${row['peak RSS (VmHWM)']}; ${row['RSS with no data (the floor)']} with no data)`,
        ok: row.ok
      })),
      rows: tableRows
    }
  } finally {
    await simulator.stop()
  }
}

/**
 * The RSS of the same program with its modules loaded but no data: pointed at a port nobody listens on,
 * its polls fail. What a poll adds is measured against this.
 */
async function idleRss(variant) {
  const [port, apiPort] = [await freePort(), await freePort()]
  const child = start(
    variant.node,
    [
      join(ROOT, 'dist/cli.js'),
      'run',
      `--web.listen-address=127.0.0.1:${port}`,
      `--api.url=http://127.0.0.1:${apiPort}`,
      '--log.level=error'
    ],
    { env: { ...process.env, ...benchEnv, ...variant.env } }
  )
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, { child })
    await sleep(2000)
    return memoryOf(child.pid).rss
  } finally {
    await child.stop()
  }
}

async function measure({ simulator, clusters, bodyBytes, intervalSeconds, cycles, variant }) {
  const flags = {
    'collector.org_metrics.interval': `${intervalSeconds}s`,
    'api.org-metrics-window': `${intervalSeconds}s`,
    'collector.inventory.interval': `${intervalSeconds}s`
  }
  const exporter = await startExporterChild(simulator.url, flags, {
    timeoutMs: 300_000,
    env: variant.env,
    node: variant.node
  })
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
    const ok = hwm < variant.goalBytes
    const perMinute = bodyBytes === undefined ? 'n/a' : mib((bodyBytes * 60) / intervalSeconds, 0)
    return {
      ok,
      'Node.js': variant.version,
      settings: variant.label,
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
      goal: `peak < ${mib(variant.goalBytes, 0)}: ${verdict(ok)}`
    }
  } finally {
    await exporter.stop()
  }
}
