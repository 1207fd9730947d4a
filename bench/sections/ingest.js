// 1. Ingest: the exporter's fetch + parse + derive of one org payload versus Prometheus scraping the
// same URL of the same static server.
import { URL } from 'node:url'
import { request } from 'undici'
import { command, table } from '../lib/markdown.js'
import { createOrgMetricsRun } from '../lib/exporter-parts.js'
import { scrapeWithPrometheus } from '../lib/prometheus.js'
import { MB, cpuSeconds, median, mib, ms, now, ratio, secondsSince, sleep, verdict } from '../lib/stats.js'

/** Exporter / Prometheus at 1,000 clusters. */
const GOAL = 0.3
/** The collector's run / the bare GET of the same body: on loopback, and over a paced link. */
const LOOPBACK_GOAL = 1.6
const PACED_GOAL = 1.05
/** A paced cell (one payload at one rate) takes about this long at most, warm-up aside. */
const PACED_CELL_SECONDS = 60
const PACED_MAX_REPS = 9
const WARM_UP_RUNS = 3
/** What the poll that sees a scrape may be late by, and a margin before the next scrape. */
const MARGIN_MS = 300
/** Fewer runs of a kind than this between scrapes are topped up after Prometheus stops. */
const MIN_BETWEEN = 2

/** Scrape interval long enough for the body (Prometheus skips a scrape that would overlap). */
const intervalFor = (bytes) => Math.max(1, Math.ceil(bytes / (20 * MB)))

/** The GET of the org body by undici, the body dropped unread: the transfer's share of a run. */
async function getAlone(url) {
  const response = await request(url)
  for await (const chunk of response.body) void chunk
}

/**
 * The exporter's runs and the GETs alone, measured between Prometheus's scrapes of the same URL: after
 * each scrape but the first, as long as the step fits before the next scrape is due, one collector run,
 * one GET, one collector run, until `slots` gaps are used. Both sides are so measured over the same
 * minutes of this shared machine, and never at the same time. Also `reps` runs back to back before
 * Prometheus starts, for comparison.
 * Returns { exporterSeconds, fetchSeconds, exporterCpu, fetchCpu, backToBackSeconds, scraped, families,
 * skipped, afterwards }; the *Cpu arrays hold this process's CPU seconds (all its threads) of each step.
 */
async function measureBetweenScrapes({ nginx, world, tools, workDir, reps, slots, scrapes }) {
  const run = await createOrgMetricsRun(`${nginx.url}${world.basePath}`, world.organizationId)
  const url = `${nginx.url}${world.metricsPath}`
  const exporterSeconds = []
  const fetchSeconds = []
  const cpu = { exporter: [], fetch: [] }
  let families = 0
  let skipped = 0
  try {
    // Warm-up, and a first idea of how long each step takes.
    const longest = { exporter: 0, fetch: 0 }
    for (let k = 0; k < WARM_UP_RUNS; k++) {
      let started = now()
      families = (await run.collect()).length
      longest.exporter = Math.max(longest.exporter, secondsSince(started))
      started = now()
      await getAlone(url)
      longest.fetch = Math.max(longest.fetch, secondsSince(started))
    }
    // For comparison only: runs back to back, before Prometheus starts (caches and CPU kept busy).
    const backToBackSeconds = []
    for (let k = 0; k < reps; k++) {
      const started = now()
      await run.collect()
      backToBackSeconds.push(secondsSince(started))
    }
    const steps = [
      ['exporter', () => run.collect(), exporterSeconds],
      ['fetch', () => getAlone(url), fetchSeconds],
      ['exporter', () => run.collect(), exporterSeconds]
    ]
    const scraped = await scrapeWithPrometheus({
      prometheus: tools.prometheus,
      workDir,
      name: world.name,
      target: new URL(nginx.url).host,
      metricsPath: world.metricsPath,
      intervalSeconds: intervalFor(world.bytes),
      scrapes: scrapes + 1,
      // The first scrape creates every series: left out, as the exporter's warm-up.
      onScrape: async ({ index, endedMs, nextScrapeMs }) => {
        if (index === 0) return
        // Centred in the gap: as far from Prometheus's work just after a scrape (and from the query that
        // saw it) as from the next scrape.
        const stepsMs = (2 * longest.exporter + longest.fetch) * 1000
        const startMs = endedMs + (nextScrapeMs - endedMs - stepsMs) / 2
        if (startMs > Date.now()) await sleep(startMs - Date.now())
        for (const [kind, step, into] of steps) {
          if (into.length >= (kind === 'exporter' ? 2 * slots : slots)) continue
          // Room for twice the longest run seen so far, and a margin for the poll that saw the scrape.
          if (Date.now() + 2 * longest[kind] * 1000 + MARGIN_MS > nextScrapeMs) {
            skipped++
            return
          }
          const started = now()
          const cpuBefore = cpuSeconds()
          await step()
          const seconds = secondsSince(started)
          cpu[kind].push(cpuSeconds() - cpuBefore)
          longest[kind] = Math.max(longest[kind], seconds)
          into.push(seconds)
        }
      },
      moreWanted: () => exporterSeconds.length < 2 * slots || fetchSeconds.length < slots
    })
    // On a machine so slow that no step ever fitted between two scrapes, time a few after Prometheus
    // has stopped rather than none; the table says so.
    let afterwards = 0
    for (const [step, into, cpuInto] of [
      [() => run.collect(), exporterSeconds, cpu.exporter],
      [() => getAlone(url), fetchSeconds, cpu.fetch]
    ]) {
      while (into.length < MIN_BETWEEN) {
        const started = now()
        const cpuBefore = cpuSeconds()
        await step()
        into.push(secondsSince(started))
        cpuInto.push(cpuSeconds() - cpuBefore)
        afterwards++
      }
    }
    return {
      exporterSeconds,
      fetchSeconds,
      exporterCpu: cpu.exporter,
      fetchCpu: cpu.fetch,
      backToBackSeconds,
      scraped,
      families,
      skipped,
      afterwards
    }
  } finally {
    await run.close()
  }
}

const mbits = (bitsPerSecond) =>
  bitsPerSecond >= 1e9 ? `${bitsPerSecond / 1e9} Gbit/s` : `${bitsPerSecond / 1e6} Mbit/s`

/**
 * The collector's run and the bare GET of the same body served at `bitsPerSecond` (nginx
 * `limit_rate`), alternated: a GET then a run, `reps` times, after one warm-up run. The reader works
 * on each chunk as it arrives, so the run can end only a little after the body's last byte.
 * Returns { exporterSeconds, fetchSeconds, reps }.
 */
async function measurePaced({ world, baseUrl, bitsPerSecond, minReps }) {
  const run = await createOrgMetricsRun(`${baseUrl}${world.basePath}`, world.organizationId)
  const url = `${baseUrl}${world.metricsPath}`
  const transferSeconds = (world.bytes * 8) / bitsPerSecond
  const reps = Math.max(
    minReps,
    Math.min(PACED_MAX_REPS, Math.floor(PACED_CELL_SECONDS / (2 * transferSeconds)))
  )
  const exporterSeconds = []
  const fetchSeconds = []
  try {
    await run.collect()
    for (let k = 0; k < reps; k++) {
      let started = now()
      await getAlone(url)
      fetchSeconds.push(secondsSince(started))
      started = now()
      await run.collect()
      exporterSeconds.push(secondsSince(started))
    }
    return { exporterSeconds, fetchSeconds, reps }
  } finally {
    await run.close()
  }
}

export async function ingestSection({ worlds, nginx, tools, workDir, reps, scrapes, paced, log }) {
  const rows = []
  const goals = []
  for (const world of worlds) {
    log(`ingest: ${world.label}`)
    // Scrapes of a small body come every second: twice as many gaps cost little and steady the medians.
    const slots = intervalFor(world.bytes) === 1 ? 2 * reps : reps
    const {
      exporterSeconds,
      fetchSeconds,
      exporterCpu,
      fetchCpu,
      backToBackSeconds,
      scraped,
      families,
      skipped,
      afterwards
    } = await measureBetweenScrapes({ nginx, world, tools, workDir, reps, slots, scrapes })
    if (skipped > 0) log(`ingest: ${world.label}: ${skipped} steps left for a later gap between scrapes`)
    const prometheusSeconds = median(scraped.durations.slice(1))
    const exporterMedian = median(exporterSeconds)
    const value = exporterMedian / prometheusSeconds
    const fetchMedian = median(fetchSeconds)
    const perGet = exporterMedian / fetchMedian
    const generated = world.name !== 'real'
    // At 100 clusters Prometheus's scrape is too short a yardstick: the transfer itself is the floor.
    const goal = generated && world.clusters >= 1000
    const getGoal = generated && world.clusters >= 100
    if (goal) goals.push({ what: `ingest ratio at ${world.clusters} clusters ≤ ${GOAL}`, ok: value <= GOAL })
    // The run's CPU against the GET's wall time: where it is above the goal, the run cannot meet it on
    // this machine however well it overlaps its work with the transfer.
    const cpuPerGet = median(exporterCpu) / fetchMedian
    const floor =
      perGet > LOOPBACK_GOAL && cpuPerGet > LOOPBACK_GOAL
        ? `; floor: the run's own CPU is ${ratio(cpuPerGet)} the GET's time`
        : ''
    if (getGoal)
      goals.push({
        what: `ingest on loopback at ${world.clusters} clusters: run ≤ ${LOOPBACK_GOAL}× the bare GET (${ratio(perGet)}${floor})`,
        ok: perGet <= LOOPBACK_GOAL
      })
    rows.push({
      payload: world.label,
      size: mib(world.bytes),
      nodes: world.nodes,
      'exporter fetch+parse+derive (median)': ms(exporterMedian),
      'of which the GET alone (median)': ms(fetchMedian),
      'Prometheus scrape_duration_seconds (median)': ms(prometheusSeconds),
      'Prometheus first scrape': ms(scraped.durations[0]),
      'exporter / Prometheus': ratio(value),
      'exporter runs back to back, for comparison (median)': ms(median(backToBackSeconds)),
      goal: goal ? `≤ ${GOAL}: ${verdict(value <= GOAL)}` : '—',
      'run / GET alone': ratio(perGet),
      'CPU of this process: run / GET alone (medians)': `${ms(median(exporterCpu))} / ${ms(median(fetchCpu))}`,
      'goal run / GET': getGoal ? `≤ ${LOOPBACK_GOAL}: ${verdict(perGet <= LOOPBACK_GOAL)}` : '—',
      'samples scraped': scraped.samplesScraped,
      'Prometheus peak RSS': mib(scraped.peakRss, 0),
      'exporter families': families,
      'runs timed: exporter / GET / Prometheus':
        `${exporterSeconds.length} / ${fetchSeconds.length} / ${scraped.durations.length - 1}` +
        (afterwards > 0 ? ` (${afterwards} after Prometheus stopped: no room between its scrapes)` : '')
    })
  }
  const pacedRows = []
  for (const bitsPerSecond of paced.bitsPerSecond) {
    for (const world of worlds.filter((w) => w.name !== 'real' && paced.clusters.includes(w.clusters))) {
      log(`ingest: ${world.label} at ${mbits(bitsPerSecond)}`)
      const measured = await measurePaced({
        world,
        baseUrl: nginx.paced.get(bitsPerSecond),
        bitsPerSecond,
        minReps: paced.minReps
      })
      const runMedian = median(measured.exporterSeconds)
      const getMedian = median(measured.fetchSeconds)
      const value = runMedian / getMedian
      const goal = world.clusters >= 100
      if (goal)
        goals.push({
          what: `ingest at ${mbits(bitsPerSecond)}, ${world.clusters} clusters: run ≤ ${PACED_GOAL}× the bare GET (${ratio(value)})`,
          ok: value <= PACED_GOAL
        })
      pacedRows.push({
        payload: world.label,
        size: mib(world.bytes),
        rate: mbits(bitsPerSecond),
        "the rate's own time for the body": ms((world.bytes * 8) / bitsPerSecond),
        'GET alone (median)': ms(getMedian),
        'exporter fetch+parse+derive (median)': ms(runMedian),
        'run / GET': ratio(value, 3),
        'run less the GET': ms(runMedian - getMedian),
        goal: goal ? `≤ ${PACED_GOAL}: ${verdict(value <= PACED_GOAL)}` : '—',
        'runs timed: exporter / GET': `${measured.exporterSeconds.length} / ${measured.fetchSeconds.length}`
      })
    }
  }
  const markdown = `## 1. Ingest: exporter versus Prometheus on the same org payload

Each payload is a static file served by one local nginx (identity encoding, keep-alive). Prometheus
(configured to scrape the same URL, \`honor_timestamps: false\` so every scrape appends every sample, no
body size limit) reports its own \`scrape_duration_seconds\`, read back through its query API: median of
the scrapes after the first (the first creates every series; shown apart). The exporter's time is one
run of its org-metrics collector (the API client's streamed GET, the reader, the derivation joined with
the inventory), timed in wall-clock seconds in this process; "the GET alone" is the same request by
undici with the body dropped unread (the transfer's share). After ${WARM_UP_RUNS} warm-up runs, the exporter is
timed *between* Prometheus's scrapes: in the middle of the gap after each scrape but the first, a
collector run, a GET alone and a collector run, each only if it fits before the next scrape is due (twice
the longest run so far, plus ${MARGIN_MS} ms). So both sides are measured over the same minutes of this shared, noisy machine, and never at
the same time; the last column gives how many runs of each went into the medians. For comparison, the
exporter's time over ${reps} runs back to back before Prometheus starts (a run that follows another finds
caches, the JIT and the CPU busy; a poll once a minute does not).
Goals: exporter / Prometheus ≤ ${GOAL} at 1,000 clusters; and the run ≤ ${LOOPBACK_GOAL}× the GET alone at 100 and
1,000 clusters ("run / GET alone", both medians between the scrapes). On loopback nginx sends as fast as
the exporter reads, and the two share the machine's two cores: the run's share above the GET is the
exporter's own work on the bytes (undici's HTTP parser and stream, the reader, the derivation), which the
transfer cannot hide. At 100 clusters Prometheus's scrape takes only about five times the GET alone, so the
transfer, not Prometheus, is the yardstick there.

${table(rows)}

### Paced transfer, as over a network

The API's body crosses the internet, far slower than loopback. The same files from a second nginx server
that sends at a fixed rate (\`limit_rate\`, in chunks of 4 ms of data, with a 4 MiB socket send buffer
standing in for a WAN path's bytes in flight and the receiver's buffer: bench/lib/nginx.js), after the
scrapes above: a GET alone, then a collector run, alternated, after one warm-up run; medians. The
API client hands the reader each chunk as it arrives, so a run can end shortly after the body's last
byte: what is left after it is the derivation of the families (about 9,000 samples at 100 clusters,
84,000 at 1,000) and the check for clusters without rows. The run keeps up with the rate only when it
gets the CPU it needs meanwhile (the reader and undici's parsing, about a quarter of a core at 1 Gbit/s):
on this shared machine it does not always, and the lag shows as "run less the GET".
Goal: run ≤ ${PACED_GOAL}× the GET alone at 100 and 1,000 clusters.

${table(pacedRows)}
${command('npm run bench   # section "ingest"; the payloads are the simulator\'s, seed "bench", one project')}`
  return { markdown, goals, rows }
}
