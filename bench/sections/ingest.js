// 1. Ingest: the exporter's fetch + parse + derive of one org payload versus Prometheus scraping the
// same URL of the same static server.
import { URL } from 'node:url'
import { request } from 'undici'
import { command, table } from '../lib/markdown.js'
import { createOrgMetricsRun } from '../lib/exporter-parts.js'
import { scrapeWithPrometheus } from '../lib/prometheus.js'
import { MB, median, mib, ms, now, ratio, secondsSince, verdict } from '../lib/stats.js'

const GOAL = 0.3
const WARM_UP_RUNS = 3

/** Scrape interval long enough for the body (Prometheus skips a scrape that would overlap). */
const intervalFor = (bytes) => Math.max(1, Math.ceil(bytes / (20 * MB)))

/** `reps` timed runs of the org-metrics collector (after warm-up), and `reps` GETs of the body alone. */
async function measureExporter(nginx, world, reps) {
  const run = await createOrgMetricsRun(`${nginx.url}${world.basePath}`, world.organizationId)
  const exporterSeconds = []
  let families = 0
  try {
    for (let k = 0; k < WARM_UP_RUNS; k++) families = (await run.collect()).length
    for (let k = 0; k < reps; k++) {
      const started = now()
      await run.collect()
      exporterSeconds.push(secondsSince(started))
    }
  } finally {
    await run.close()
  }
  const fetchSeconds = []
  for (let k = 0; k <= reps; k++) {
    const started = now()
    const response = await request(`${nginx.url}${world.metricsPath}`)
    for await (const chunk of response.body) void chunk
    if (k > 0) fetchSeconds.push(secondsSince(started))
  }
  return { exporterSeconds, fetchSeconds, families }
}

export async function ingestSection({ worlds, nginx, tools, workDir, reps, scrapes, log }) {
  const rows = []
  const goals = []
  for (const world of worlds) {
    log(`ingest: ${world.label}`)
    // Half of the exporter's runs before Prometheus's scrapes and half after, so that a noisy spell of
    // this shared machine weighs on both sides rather than on one.
    const before = await measureExporter(nginx, world, reps)
    const scraped = await scrapeWithPrometheus({
      prometheus: tools.prometheus,
      workDir,
      name: world.name,
      target: new URL(nginx.url).host,
      metricsPath: world.metricsPath,
      intervalSeconds: intervalFor(world.bytes),
      scrapes: scrapes + 1
    })
    // The first scrape creates every series and is slower: leave it out, as the exporter's warm-up.
    const after = await measureExporter(nginx, world, reps)
    const families = after.families
    const fetchSeconds = [...before.fetchSeconds, ...after.fetchSeconds]
    const prometheusSeconds = median(scraped.durations.slice(1))
    const exporterMedian = median([...before.exporterSeconds, ...after.exporterSeconds])
    const value = exporterMedian / prometheusSeconds
    const goal = world.clusters >= 100 && world.name !== 'real'
    if (goal) goals.push({ what: `ingest ratio at ${world.clusters} clusters ≤ ${GOAL}`, ok: value <= GOAL })
    rows.push({
      payload: world.label,
      size: mib(world.bytes),
      nodes: world.nodes,
      'exporter fetch+parse+derive (median)': ms(exporterMedian),
      'of which the GET alone (median)': ms(median(fetchSeconds)),
      'Prometheus scrape_duration_seconds (median)': ms(prometheusSeconds),
      'Prometheus first scrape': ms(scraped.durations[0]),
      'exporter / Prometheus': ratio(value),
      goal: goal ? `≤ ${GOAL}: ${verdict(value <= GOAL)}` : '—',
      'samples scraped': scraped.samplesScraped,
      'Prometheus peak RSS': mib(scraped.peakRss, 0),
      'exporter families': families
    })
  }
  const markdown = `## 1. Ingest: exporter versus Prometheus on the same org payload

Each payload is a static file served by one local nginx (identity encoding, keep-alive). The exporter's
time is one run of its org-metrics collector (the API client's streamed GET, the reader, the derivation
joined with the inventory), timed in wall-clock seconds: median of ${2 * reps} runs, ${reps} before Prometheus's scrapes and
${reps} after them (each batch after ${WARM_UP_RUNS} warm-up runs), so that a noisy spell of this shared machine weighs on
both sides; "the GET alone" is the same request by undici with the body dropped unread (the transfer's
share), measured the same way.
Prometheus (configured to scrape the same URL, \`honor_timestamps: false\` so every scrape appends every
sample, no body size limit) reports its own \`scrape_duration_seconds\`, read back through its query API:
median of ${scrapes} scrapes after the first (the first creates every series; shown apart).
Goal: exporter / Prometheus ≤ ${GOAL} at 100 and 1,000 clusters.

${table(rows)}
${command('npm run bench   # section "ingest"; the payloads are the simulator\'s, seed "bench", one project')}`
  return { markdown, goals, rows }
}
