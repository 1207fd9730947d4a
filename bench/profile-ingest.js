// Where one org-metrics run of the exporter spends its time: the body read and dropped, the body read by
// the reader, and the collector's whole run (fetch + parse + derive), against the same static file, and
// what of the run comes after the body's last byte. `--mbits N` serves the file at N Mbit/s (nginx
// `limit_rate`) as a WAN link would.
// Run after `npm run build` (add `node --cpu-prof` to profile):
// node bench/profile-ingest.js [--clusters N] [--reps N] [--mbits N]
import console from 'node:console'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { createOrgMetricsReader } from '../dist/collectors/org-metrics/reader.js'
import { createOrgMetricsRun } from './lib/exporter-parts.js'
import { startNginx } from './lib/nginx.js'
import { findTool } from './lib/processes.js'
import { writeWorld } from './lib/payloads.js'
import { median, ms, now, secondsSince } from './lib/stats.js'

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    reps: { type: 'string', default: '9' },
    mbits: { type: 'string' },
    // Which of the three to time (comma-separated), so that a CPU profile shows one alone.
    steps: { type: 'string', default: 'drop,reader,run' }
  }
})
const reps = Number(args.reps)
const steps = new Set(args.steps.split(','))
const rate = args.mbits === undefined ? undefined : Number(args.mbits) * 1e6

async function timed(what, run) {
  await run()
  const seconds = []
  for (let k = 0; k < reps; k++) {
    const started = now()
    await run()
    seconds.push(secondsSince(started))
  }
  console.log(`${what.padEnd(40)} ${ms(median(seconds))} (median of ${reps})`)
}

const workDir = mkdtempSync(join(tmpdir(), 'cce-profile-'))
const nginx = await startNginx(findTool('nginx'), join(workDir, 'www'), workDir, {
  pacedBitsPerSecond: rate === undefined ? [] : [rate]
})
try {
  const world = await writeWorld(join(workDir, 'www'), 'w', Number(args.clusters))
  const base = rate === undefined ? nginx.url : nginx.paced.get(rate)
  console.log(
    `${world.label}: ${(world.bytes / 1e6).toFixed(1)} MB, ${rate === undefined ? 'loopback' : `${args.mbits} Mbit/s`}`
  )
  const url = `${base}${world.metricsPath}`
  if (steps.has('drop')) {
    const firstChunk = []
    await timed('undici request, body dropped', async () => {
      const started = now()
      const response = await request(url)
      let first = true
      for await (const chunk of response.body) {
        if (first) firstChunk.push(secondsSince(started))
        first = false
        void chunk
      }
    })
    console.log(`${'  of which before the first chunk arrived'.padEnd(40)} ${ms(median(firstChunk))}`)
  }
  if (steps.has('reader'))
    await timed('undici request, body to the reader', async () => {
      const response = await request(url)
      const reader = createOrgMetricsReader()
      for await (const chunk of response.body) reader.write(chunk)
      reader.end()
    })
  // The last chunk's arrival and the reader's end, inside each collector run.
  let firstChunkAt = 0n
  let lastChunkAt = 0n
  let endedAt = 0n
  const run = await createOrgMetricsRun(`${base}${world.basePath}`, world.organizationId, {
    wrapReader: (reader) => ({
      write(chunk) {
        lastChunkAt = now()
        if (firstChunkAt === 0n) firstChunkAt = lastChunkAt
        reader.write(chunk)
      },
      end() {
        const reading = reader.end()
        endedAt = now()
        return reading
      }
    })
  })
  const beforeFirstChunk = []
  const afterLastChunk = []
  const afterReader = []
  if (steps.has('run'))
    await timed('org_metrics collector run', async () => {
      firstChunkAt = 0n
      const started = now()
      await run.collect()
      const done = now()
      beforeFirstChunk.push(Number(firstChunkAt - started) / 1e9)
      afterLastChunk.push(Number(done - lastChunkAt) / 1e9)
      afterReader.push(Number(done - endedAt) / 1e9)
    })
  console.log(`${'  of which before the first chunk arrived'.padEnd(40)} ${ms(median(beforeFirstChunk))}`)
  console.log(`${'  of which after the last chunk arrived'.padEnd(40)} ${ms(median(afterLastChunk))}`)
  console.log(`${'  of which after the reader ended'.padEnd(40)} ${ms(median(afterReader))}`)
  await run.close()
} finally {
  await nginx.stop()
  rmSync(workDir, { recursive: true, force: true })
}
