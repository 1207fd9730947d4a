// Throughput of the organization metrics reader against parse-prometheus-text-format, on the same bytes.
// Run after `npm run build`:  node bench/parser.js [--reps N] [--clusters 1,100,1000] [--baseline-cap-mb N]
import console from 'node:console'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { createOrgMetricsReader } from '../dist/cloud/org-metrics-reader.js'
import { createPromTextParser } from '../dist/cloud/prom-text/index.js'
import { syntheticOrgPayload } from './synthetic-org-payload.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CAPTURE = resolve(ROOT, '../shared/cratedb-cloud/org-metrics-capture.prom')
/** What the API client hands the sink: undici delivers the body in chunks of about this size. */
const CHUNK_BYTES = 64 * 1024
const MB = 1024 * 1024
const MIN_REP_SECONDS = 0.25

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    clusters: { type: 'string', default: '1,100,1000' },
    'baseline-cap-mb': { type: 'string', default: '32' }
  }
})
const reps = Number(args.reps)
const baselineCap = Number(args['baseline-cap-mb']) * MB

/**
 * The bodies to measure, one at a time (a 1,000-cluster body is ~244 MB). Swap this for the simulator's
 * payloads when they exist: anything yielding { name, body: Buffer, source } will do.
 */
function* payloads(capture) {
  for (const clusters of args.clusters.split(',').map(Number)) {
    if (clusters === 1) yield { name: '1 cluster', body: capture, source: 'real capture' }
    else
      yield {
        name: `${clusters} clusters`,
        body: syntheticOrgPayload(capture, clusters),
        source: 'synthetic'
      }
  }
}

function feed(sink, body) {
  for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
    sink.write(body.subarray(offset, offset + CHUNK_BYTES))
  }
  return sink.end()
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** CPU seconds of this process: steadier than wall time on a shared machine. */
function cpuSeconds() {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/**
 * Median MB/s of `run` over `reps` repetitions, after a warm-up; a repetition repeats `run` until it has
 * taken at least MIN_REP_SECONDS, so small bodies are timed over many runs.
 */
function measure(bytes, run) {
  let result = run()
  const rates = []
  for (let k = 0; k < reps; k++) {
    const started = cpuSeconds()
    let runs = 0
    let seconds = 0
    do {
      result = run()
      runs++
      seconds = cpuSeconds() - started
    } while (seconds < MIN_REP_SECONDS)
    rates.push((bytes * runs) / MB / seconds)
  }
  return { rate: median(rates), result }
}

function main() {
  if (!existsSync(CAPTURE)) {
    console.log(`SKIP: ${CAPTURE} not found; the parser benchmark needs the real capture`)
    return
  }
  const capture = readFileSync(CAPTURE)
  const rows = []
  for (const { name, body, source } of payloads(capture)) {
    const size = body.length / MB
    const reader = measure(body.length, () => feed(createOrgMetricsReader(), body))
    const checked = measure(body.length, () => feed(createOrgMetricsReader({ validateDropped: true }), body))
    const general = measure(body.length, () => {
      let samples = 0
      return feed(createPromTextParser({ onSample: () => samples++ }), body)
    })
    // The baseline needs the whole body as one string; above the cap it is measured on a prefix of whole lines.
    const cut = body.length <= baselineCap ? body.length : body.lastIndexOf(0x0a, baselineCap) + 1
    const text = body.toString('utf8', 0, cut)
    const baseline = measure(cut, () => parsePrometheusTextFormat(text))
    const nodes = reader.result.nodes.size
    rows.push({
      payload: `${name} (${source})`,
      'size MB': size.toFixed(1),
      'reader MB/s': reader.rate.toFixed(0),
      'reader, every line checked MB/s': checked.rate.toFixed(0),
      'general parser MB/s': general.rate.toFixed(0),
      'parse-prometheus-text-format MB/s':
        baseline.rate.toFixed(1) + (cut < body.length ? ` (first ${(cut / MB).toFixed(0)} MB)` : ''),
      'reader / baseline': `${(reader.rate / baseline.rate).toFixed(1)}x`,
      nodes,
      invalid: reader.result.invalidLines
    })
  }
  console.log(
    `org metrics reader vs parse-prometheus-text-format: MB/s of process CPU time, median of ${reps} repetitions, ${CHUNK_BYTES / 1024} KiB chunks`
  )
  console.log(
    'The baseline parses a string already decoded (decoding not timed); the readers take the raw bytes.'
  )
  console.table(rows)
}

main()
