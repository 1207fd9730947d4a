// 2. Parser: MB/s of the exporter's org-metrics reader versus parse-prometheus-text-format, same bytes.
import { readFileSync } from 'node:fs'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { createOrgMetricsReader } from '../../dist/collectors/org-metrics/reader.js'
import { createPromTextParser } from '../../dist/prom-text/index.js'
import { command, table } from '../lib/markdown.js'
import { cpuSeconds, fixed, MB, median, mib, ratio, verdict } from '../lib/stats.js'

/** What the API client hands the reader: undici delivers a body in chunks of about this size. */
const CHUNK_BYTES = 64 * 1024
const GOAL = 10

function feed(sink, body) {
  for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
    sink.write(body.subarray(offset, offset + CHUNK_BYTES))
  }
  return sink.end()
}

/**
 * Median MB/s (of process CPU time) of `run` over `reps` repetitions after a warm-up; a repetition repeats
 * `run` until it has taken at least `minSeconds`, so that small bodies are timed over many runs.
 */
function measure(bytes, run, reps, minSeconds) {
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
    } while (seconds < minSeconds)
    rates.push((bytes * runs) / MB / seconds)
  }
  return { rate: median(rates), result }
}

/** One row of the table for `body`; the baseline parses at most `baselineCap` bytes (whole lines). */
export function measureParsers(body, { reps, minSeconds = 0.25, baselineCap = 32 * MB }) {
  const reader = measure(body.length, () => feed(createOrgMetricsReader(), body), reps, minSeconds)
  const checked = measure(
    body.length,
    () => feed(createOrgMetricsReader({ validateDropped: true }), body),
    reps,
    minSeconds
  )
  const general = measure(
    body.length,
    () => {
      let samples = 0
      return feed(createPromTextParser({ onSample: () => samples++ }), body)
    },
    reps,
    minSeconds
  )
  const cut = body.length <= baselineCap ? body.length : body.lastIndexOf(0x0a, baselineCap) + 1
  const text = body.toString('utf8', 0, cut)
  const baseline = measure(cut, () => parsePrometheusTextFormat(text), reps, minSeconds)
  return {
    reader: reader.rate,
    checked: checked.rate,
    general: general.rate,
    baseline: baseline.rate,
    baselineBytes: cut,
    nodes: reader.result.nodes.size,
    invalid: reader.result.invalidLines
  }
}

export function parserSection({ worlds, reps, baselineCapMb, log }) {
  const rows = []
  const goals = []
  for (const world of worlds) {
    log(`parser: ${world.label}`)
    const body = readFileSync(world.file)
    const m = measureParsers(body, { reps, baselineCap: baselineCapMb * MB })
    const value = m.reader / m.baseline
    goals.push({ what: `parser ≥ ${GOAL}× baseline on ${world.label}`, ok: value >= GOAL })
    rows.push({
      payload: world.label,
      size: mib(body.length),
      'reader MB/s': fixed(m.reader, 0),
      'reader, every line checked MB/s': fixed(m.checked, 0),
      'general prom-text parser MB/s': fixed(m.general, 0),
      'parse-prometheus-text-format MB/s':
        fixed(m.baseline, 1) + (m.baselineBytes < body.length ? ` (first ${mib(m.baselineBytes, 0)})` : ''),
      'reader / baseline': ratio(value, 1),
      goal: `≥ ${GOAL}×: ${verdict(value >= GOAL)}`,
      'nodes read': m.nodes,
      'invalid lines': m.invalid
    })
  }
  const markdown = `## 2. Parser: MB/s on the same payloads

MB per second of process CPU time, median of ${reps} repetitions after a warm-up (a repetition repeats
the parse for at least 0.25 s). The readers take the raw bytes in ${CHUNK_BYTES / 1024} KiB chunks, as the
API client hands them over; \`parse-prometheus-text-format\` takes the body as one string, already
decoded (decoding not timed), and above ${baselineCapMb} MiB only a prefix of whole lines (its memory
grows with the body). "reader" is what the exporter runs (lines of unused families dropped after their
metric name); "every line checked" validates every line; the general parser reads every sample.
Goal: reader ≥ ${GOAL}× parse-prometheus-text-format.

${table(rows)}
${command('npm run bench   # section "parser"; or after npm run build: node bench/parser.js')}`
  return { markdown, goals, rows }
}
