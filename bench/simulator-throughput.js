// Throughput of the simulated org-metrics endpoint over HTTP: the simulator of a build in a process of
// its own, one organization of N clusters, its body read twice inside one rate-limit window (the second
// read renders the same snapshot again). Prints wall time and the simulator process's CPU time.
// Run after `npm run build`: node bench/simulator-throughput.js [--dist DIR] [--clusters 1000,10000]
/* global console */
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import process from 'node:process'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { benchAuthorization, simulatorOptions } from './lib/payloads.js'
import { cpuSecondsOf } from './lib/processes.js'

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    clusters: { type: 'string', default: '1000,10000' }
  }
})
const entry = pathToFileURL(resolve(args.dist, 'simulator/index.js')).href

async function measure(clusters) {
  const code = `const { startSimulator } = await import(${JSON.stringify(entry)})
const simulator = await startSimulator(JSON.parse(process.argv[1]))
console.log(JSON.stringify({ url: simulator.url }))`
  const options = JSON.stringify(simulatorOptions(clusters, 1, 60_000))
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, options], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  try {
    const [line] = await once(createInterface({ input: child.stdout }), 'line')
    const { url } = JSON.parse(line)
    const headers = { authorization: benchAuthorization }
    const organizations = await (await request(`${url}/api/v2/organizations/`, { headers })).body.json()
    const path = `${url}/api/v2/organizations/${organizations[0].id}/metrics/prometheus/`
    for (const label of ['first read', 'second read']) {
      const cpu = cpuSecondsOf(child.pid)
      const started = process.hrtime.bigint()
      const response = await request(path, { headers, bodyTimeout: 0, headersTimeout: 0 })
      let bytes = 0
      for await (const chunk of response.body) bytes += chunk.length
      const wall = Number(process.hrtime.bigint() - started) / 1e9
      const used = cpuSecondsOf(child.pid) - cpu
      const mb = bytes / 1e6
      console.log(
        `${clusters} clusters, ${label}: ${mb.toFixed(0)} MB, wall ${wall.toFixed(1)} s (${(mb / wall).toFixed(0)} MB/s), ` +
          `simulator CPU ${used.toFixed(1)} s (${(mb / used).toFixed(0)} MB/s)`
      )
    }
  } finally {
    child.kill('SIGTERM')
  }
}

console.log(`build: ${resolve(args.dist)}`)
for (const clusters of args.clusters.split(',').map(Number)) await measure(clusters)
