// Section 6 of the benchmark (freshness) on its own, for any build: the age of the upstream data on
// /metrics, and the org-metrics requests that reach the API inside its rate-limit window, per limiter
// mode. `npm run bench` writes the same table for dist/ of this tree.
//
// Run after `npm run build`: node bench/freshness.js [--dist DIR] [--cycles N] [--json]
// --dist points at another build (e.g. of an older commit) to measure its schedule the same way.
/* global console */
import { resolve } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { table } from './lib/markdown.js'
import { MODES, exporterParts, freshnessRow, measureFreshness } from './sections/freshness.js'

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    cycles: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false }
  }
})
const parts = await exporterParts(resolve(args.dist))
const results = []
for (const [mode, seed] of MODES) results.push(await measureFreshness(parts, mode, seed, Number(args.cycles)))
if (args.json) console.log(JSON.stringify(results, null, 2))
else console.log(`build: ${resolve(args.dist)}\n\n${table(results.map(freshnessRow))}`)
process.exit(0)
