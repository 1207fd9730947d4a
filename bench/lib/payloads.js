// The organization worlds of the benchmark, written as static files: the simulator's JSON listings and
// org metrics body, under <root>/<name>/api/v2/..., so that one static server answers the exporter's API
// client (with <name> as the base path) and Prometheus (scraping the metrics path) with the same bytes.
/* global fetch */
import { Buffer } from 'node:buffer'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '../../dist/simulator/index.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const CAPTURE = resolve(ROOT, '../shared/cratedb-cloud/org-metrics-capture.prom')
const CAPTURE_CLUSTER = { id: '5e52d9b3-3b92-4568-a3a4-620ed9d1d445', name: 'devbrain' }
export const BENCH_KEY = 'bench-key'
export const BENCH_SECRET = 'bench-secret'
export const SEED = 'bench'

/** The generated scenario of `clusters` clusters in `organizations` organizations, one project each. */
export function scenario(clusters, organizations = 1) {
  return { kind: 'generated', organizations, projectsPerOrganization: 1, clusters }
}

export function simulatorOptions(clusters, organizations = 1, windowMs = 0) {
  return {
    seed: SEED,
    scenario: scenario(clusters, organizations),
    credentials: [{ key: BENCH_KEY, secret: BENCH_SECRET }],
    settings: { rateLimitWindowMs: windowMs }
  }
}

export const benchAuthorization = `Basic ${Buffer.from(`${BENCH_KEY}:${BENCH_SECRET}`).toString('base64')}`

async function getJson(url) {
  const response = await fetch(url, {
    headers: { authorization: benchAuthorization, accept: 'application/json' }
  })
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`)
  return response.text()
}

function writeIndex(path, extension, body) {
  mkdirSync(path, { recursive: true })
  writeFileSync(join(path, `index.${extension}`), body)
}

/**
 * Writes the world `name` (the simulator's scenario of `clusters` clusters, or the real capture's body
 * with a one-cluster listing when `clusters` is 'capture') under `root`. Returns { name, label, basePath,
 * organizationId, metricsPath, bytes, clusters, nodes }.
 */
export async function writeWorld(root, name, clusters) {
  const capture = clusters === 'capture'
  const simulator = await startSimulator(simulatorOptions(capture ? 1 : clusters))
  try {
    const api = `${simulator.url}/api/v2/organizations/`
    const base = join(root, name, 'api/v2/organizations')
    const organizations = await getJson(api)
    writeIndex(base, 'json', organizations)
    const organizationId = simulator.state.organizations()[0].id
    writeIndex(
      join(base, organizationId, 'projects'),
      'json',
      await getJson(`${api}${organizationId}/projects/`)
    )
    const listing = await getJson(`${api}${organizationId}/clusters/`)
    writeIndex(
      join(base, organizationId, 'clusters'),
      'json',
      // The capture's one cluster, so that the listing and the body name the same running cluster.
      capture
        ? JSON.stringify(JSON.parse(listing).map((cluster) => ({ ...cluster, ...CAPTURE_CLUSTER })))
        : listing
    )
    const metricsDir = join(base, organizationId, 'metrics/prometheus')
    mkdirSync(metricsDir, { recursive: true })
    const file = join(metricsDir, 'index.prom')
    let bytes = 0
    if (capture) {
      const body = readFileSync(CAPTURE)
      writeFileSync(file, body)
      bytes = body.length
    } else {
      const fd = openSync(file, 'w')
      try {
        simulator.state.renderOrgMetrics(organizationId, simulator.state.clock.now(), (chunk) => {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
          writeSync(fd, buffer)
          bytes += buffer.length
        })
      } finally {
        closeSync(fd)
      }
    }
    const simulated = simulator.state.clusters()
    return {
      name,
      label: capture ? 'real capture (1 cluster)' : `${clusters} clusters (simulator)`,
      basePath: `/${name}`,
      organizationId,
      metricsPath: `/${name}/api/v2/organizations/${organizationId}/metrics/prometheus/`,
      file,
      bytes,
      clusters: capture ? 1 : clusters,
      nodes: capture ? 3 : simulated.reduce((sum, c) => sum + c.nodes.length, 0)
    }
  } finally {
    await simulator.close()
  }
}

export const captureExists = () => existsSync(CAPTURE)
