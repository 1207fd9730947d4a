// Throughput of the organization metrics reader against parse-prometheus-text-format, on the same bytes:
// the real capture and the simulator's bodies. The same measurement is section 2 of `npm run bench`.
// Run after `npm run build`:  node bench/parser.js [--reps N] [--clusters 3,100,1000] [--baseline-cap-mb N]
import { Buffer } from 'node:buffer'
import console from 'node:console'
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createSimulatorState } from '../dist/simulator/index.js'
import { CAPTURE, SEED, scenario } from './lib/payloads.js'
import { fixed, MB, mib, ratio } from './lib/stats.js'
import { measureParsers } from './sections/parser.js'

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    clusters: { type: 'string', default: '3,100,1000' },
    'baseline-cap-mb': { type: 'string', default: '32' }
  }
})

/** The simulator's org metrics body for `clusters` clusters in one organization. */
function simulatedBody(clusters) {
  const state = createSimulatorState({ seed: SEED, scenario: scenario(clusters) })
  const chunks = []
  state.renderOrgMetrics(state.organizations()[0].id, state.clock.now(), (chunk) =>
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)
  )
  return Buffer.concat(chunks)
}

function* payloads() {
  if (existsSync(CAPTURE)) yield { name: 'real capture (1 cluster)', body: readFileSync(CAPTURE) }
  else console.log(`SKIP: ${CAPTURE} not found; the real capture's row is left out`)
  for (const clusters of args.clusters.split(',').map(Number)) {
    yield { name: `${clusters} clusters (simulator)`, body: simulatedBody(clusters) }
  }
}

const rows = []
for (const { name, body } of payloads()) {
  const m = measureParsers(body, {
    reps: Number(args.reps),
    baselineCap: Number(args['baseline-cap-mb']) * MB
  })
  rows.push({
    payload: name,
    size: mib(body.length),
    'reader MB/s': fixed(m.reader, 0),
    'every line checked MB/s': fixed(m.checked, 0),
    'general parser MB/s': fixed(m.general, 0),
    'parse-prometheus-text-format MB/s':
      fixed(m.baseline, 1) + (m.baselineBytes < body.length ? ` (first ${mib(m.baselineBytes, 0)})` : ''),
    'reader / baseline': ratio(m.reader / m.baseline, 1),
    nodes: m.nodes,
    invalid: m.invalid
  })
}
console.log(`MB/s of process CPU time, median of ${args.reps} repetitions, 64 KiB chunks`)
console.table(rows)
