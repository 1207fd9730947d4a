// Where one org-metrics run of the exporter spends its time: the body read and dropped, the body read by
// the reader, and the collector's whole run (fetch + parse + derive), against the same static file.
// Run after `npm run build` (add `node --cpu-prof` to profile): node bench/profile-ingest.js [--clusters N] [--reps N]
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
  options: { clusters: { type: 'string', default: '100' }, reps: { type: 'string', default: '9' } }
})
const reps = Number(args.reps)

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
const nginx = await startNginx(findTool('nginx'), join(workDir, 'www'), workDir)
try {
  const world = await writeWorld(join(workDir, 'www'), 'w', Number(args.clusters))
  console.log(`${world.label}: ${(world.bytes / 1e6).toFixed(1)} MB`)
  const url = `${nginx.url}${world.metricsPath}`
  await timed('undici request, body dropped', async () => {
    const response = await request(url)
    for await (const chunk of response.body) void chunk
  })
  await timed('undici request, body to the reader', async () => {
    const response = await request(url)
    const reader = createOrgMetricsReader()
    for await (const chunk of response.body) reader.write(chunk)
    reader.end()
  })
  const run = await createOrgMetricsRun(`${nginx.url}${world.basePath}`, world.organizationId)
  await timed('org_metrics collector run', () => run.collect())
  await run.close()
} finally {
  await nginx.stop()
  rmSync(workDir, { recursive: true, force: true })
}
