// The live heap of the org-metrics path, after full collections: the program loaded, one poll's
// families held, their rendering, and two polls' families side by side (as while a poll replaces the
// last one). Run after `npm run build`:
//   node --expose-gc bench/live-heap.js [clusters]
// Starts the simulator in a child process; figures in MiB (heap used, external memory, array buffers).
/* global fetch, gc */
import { Buffer } from 'node:buffer'
import process from 'node:process'
import { startSimulatorChild } from './lib/children.js'
import { createOrgMetricsRun } from './lib/exporter-parts.js'
import { BENCH_KEY, BENCH_SECRET, simulatorOptions } from './lib/payloads.js'
import { buildClusterIndex } from '../dist/metrics/cluster-slices.js'
import { renderBlocks } from '../dist/metrics/render-blocks.js'

if (typeof gc !== 'function') throw new Error('run with node --expose-gc')
const clusters = Number(process.argv[2] ?? 1000)
const MIB = 1024 * 1024

function report(label) {
  gc()
  gc()
  const usage = process.memoryUsage()
  const figure = (bytes) => (bytes / MIB).toFixed(1).padStart(6)
  process.stdout.write(
    `${label.padEnd(44)} heap used ${figure(usage.heapUsed)}  external ${figure(usage.external)}  array buffers ${figure(usage.arrayBuffers)}\n`
  )
}

const simulator = await startSimulatorChild(simulatorOptions(clusters, 1, 0))
try {
  report('program loaded')
  const organizations = await (
    await fetch(`${simulator.url}/api/v2/organizations/`, {
      headers: { authorization: `Basic ${Buffer.from(`${BENCH_KEY}:${BENCH_SECRET}`).toString('base64')}` }
    })
  ).json()
  const run = await createOrgMetricsRun(simulator.url, organizations[0].id)
  report(`inventory of ${run.clusters} clusters`)
  let families = await run.collect()
  report('one poll: families held')
  let rendering = { blocks: renderBlocks(families), index: buildClusterIndex(families) }
  report('one poll: families and their rendering')
  const next = await run.collect()
  report('the next poll beside it')
  families = next
  rendering = { blocks: renderBlocks(families), index: buildClusterIndex(families) }
  report('the next poll rendered, the first released')
  if (rendering.blocks.text.length === 0) throw new Error('nothing rendered')
  await run.close()
} finally {
  await simulator.stop()
}
