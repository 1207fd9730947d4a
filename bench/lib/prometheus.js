// A real Prometheus scraping one URL: its own scrape_duration_seconds, read back through its query API.
/* global fetch */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from './nginx.js'
import { memoryOf, start, waitForHttp } from './processes.js'
import { sleep } from './stats.js'

async function query(url, promql) {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
  const body = await response.json()
  if (body.status !== 'success') throw new Error(`Prometheus query ${promql}: ${JSON.stringify(body)}`)
  return body.data.result
}

/** The samples of a range vector selector, oldest first, as { atMs, value }. */
async function timedSamples(url, selector) {
  const result = await query(url, `${selector}[1h]`)
  return (result[0]?.values ?? []).map(([at, value]) => ({ atMs: Number(at) * 1000, value: Number(value) }))
}

/** The samples of a range vector selector, oldest first, as numbers. */
async function samples(url, selector) {
  return (await timedSamples(url, selector)).map(({ value }) => value)
}

/**
 * Runs Prometheus scraping `target` (host:port) at `metricsPath` every `intervalSeconds` until it has
 * made `scrapes` scrapes, then stops it. Samples keep their scrape time (honor_timestamps: false) so that
 * every scrape appends all its samples, as a live endpoint's would; no body size limit applies.
 *
 * `onScrape({ index, endedMs, nextScrapeMs })`, when given, is awaited for each scrape as it is seen,
 * in order: it ended at `endedMs` and the next one is due at `nextScrapeMs` (Date.now() time), so that
 * the caller can measure something else between two scrapes rather than beside one. Scraping goes on
 * until there are `scrapes` scrapes and `moreWanted()` (when given) returns false, or 3 × `scrapes` at
 * most.
 * Returns { durations (seconds, in order), samplesScraped, peakRss }.
 */
export async function scrapeWithPrometheus({
  prometheus,
  workDir,
  name,
  target,
  metricsPath,
  intervalSeconds,
  scrapes,
  onScrape = null,
  moreWanted = () => false
}) {
  const dir = join(workDir, `prometheus-${name}`)
  mkdirSync(join(dir, 'data'), { recursive: true })
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    `global:
  scrape_interval: ${intervalSeconds}s
  scrape_timeout: ${intervalSeconds}s
scrape_configs:
  - job_name: ${name}
    honor_labels: true
    honor_timestamps: false
    body_size_limit: 2GB
    metrics_path: ${metricsPath}
    static_configs:
      - targets: ['${target}']
`
  )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = start(prometheus, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn'
  ])
  try {
    await waitForHttp(`${url}/-/ready`, { child, timeoutMs: 60_000 })
    const selector = `scrape_duration_seconds{job="${name}"}`
    const most = 3 * scrapes
    const deadline = Date.now() + (most + 2) * intervalSeconds * 1000 * 2 + 60_000
    const intervalMs = intervalSeconds * 1000
    let seen = []
    while (seen.length < most && (seen.length < scrapes || moreWanted())) {
      if (Date.now() > deadline)
        throw new Error(`Prometheus made ${seen.length} of ${scrapes} scrapes of ${metricsPath} in time`)
      if (!child.running()) throw new Error(`Prometheus exited:\n${child.output()}`)
      await sleep(Math.min(1000, intervalSeconds * 250))
      const now = await timedSamples(url, selector)
      for (let index = seen.length; index < now.length && index < most; index++) {
        const { atMs, value: durationSeconds } = now[index]
        // A scrape longer than the interval is followed at once by the next (Go's ticker keeps one tick).
        const endedMs = atMs + durationSeconds * 1000
        const nextScrapeMs = Math.max(atMs + intervalMs, endedMs)
        if (onScrape !== null) await onScrape({ index, endedMs, nextScrapeMs })
      }
      seen = now.slice(0, most)
    }
    const durations = seen.map(({ value }) => value)
    const up = await samples(url, `up{job="${name}"}`)
    if (up.some((value) => value !== 1)) {
      const targets = await (await fetch(`${url}/api/v1/targets`)).json()
      throw new Error(
        `a scrape of ${metricsPath} failed: ${JSON.stringify(targets.data.activeTargets[0]?.lastError)}`
      )
    }
    const samplesScraped = (await samples(url, `scrape_samples_scraped{job="${name}"}`)).at(-1)
    return { durations, samplesScraped, peakRss: memoryOf(child.pid).hwm }
  } finally {
    await child.stop()
  }
}
