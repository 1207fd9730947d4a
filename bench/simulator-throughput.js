// Throughput of the simulated org-metrics endpoint, for 100 and 1,000 clusters in one organization.
// Run after `npm run build`: node bench/simulator-throughput.js
/* global console */
import { Buffer } from 'node:buffer'
import process from 'node:process'
import { request } from 'undici'
import { createSimulatorClock } from '../dist/simulator/clock.js'
import { startSimulator } from '../dist/simulator/index.js'
import { createSimulatorState } from '../dist/simulator/state.js'

const START = Date.UTC(2026, 4, 13, 10)

function renderOnly(clusters) {
  const state = createSimulatorState({
    seed: 'bench',
    scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 4, clusters },
    clock: createSimulatorClock({ manual: true, startMs: START })
  })
  const org = state.organizations()[0].id
  let bytes = 0
  const started = process.hrtime.bigint()
  state.renderOrgMetrics(org, START, (chunk) => {
    bytes += Buffer.byteLength(chunk)
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const nodes = state.clusters().reduce((sum, c) => sum + c.nodes.length, 0)
  return { bytes, seconds, nodes }
}

async function overHttp(clusters) {
  const sim = await startSimulator({
    seed: 'bench',
    scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 4, clusters },
    credentials: [{ key: 'k', secret: 's' }],
    settings: { rateLimitWindowMs: 0 }
  })
  try {
    const org = sim.state.organizations()[0].id
    const started = process.hrtime.bigint()
    const response = await request(`${sim.url}/api/v2/organizations/${org}/metrics/prometheus/`, {
      headers: { authorization: `Basic ${Buffer.from('k:s').toString('base64')}` }
    })
    let bytes = 0
    for await (const chunk of response.body) bytes += chunk.length
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    return { status: response.statusCode, bytes, seconds, rss: process.memoryUsage().rss }
  } finally {
    await sim.close()
  }
}

const mb = (bytes) => bytes / 1e6
for (const clusters of [100, 1000]) {
  renderOnly(100) // warm-up: let the JIT compile the renderer first
  const render = renderOnly(clusters)
  const http = await overHttp(clusters)
  console.log(
    `${String(clusters).padStart(5)} clusters, ${render.nodes} nodes: body ${mb(render.bytes).toFixed(1)} MB; ` +
      `render ${(mb(render.bytes) / render.seconds).toFixed(1)} MB/s (${render.seconds.toFixed(2)} s); ` +
      `HTTP ${(mb(http.bytes) / http.seconds).toFixed(1)} MB/s (${http.seconds.toFixed(2)} s, status ${http.status}, ` +
      `rss ${(http.rss / 1e6).toFixed(0)} MB)`
  )
}
