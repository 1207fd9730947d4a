import { createReadStream, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlagValue } from '../../../src/cli/flags.js'
import { parsePromText } from '../../../src/prom-text/index.js'
import { loadConfig } from '../../../src/config/index.js'
import { createLogger } from '../../../src/logger.js'
import { startExporter, type RunningExporter } from '../../../src/engine/start.js'
import { cluster, organization, project } from '../../helpers/builders.js'
import { sharedFile } from '../../helpers/environment.js'
import { waitFor } from '../../helpers/exporter.js'

// The real capture of GET /api/v2/organizations/{org}/metrics/prometheus/ (one 3-node cluster "devbrain"),
// served by a bare HTTP server next to minimal cluster JSON, read by the whole exporter.
const capture = sharedFile('org-metrics-capture.prom')
const ORG = 'a0df2925-cc73-4365-8a10-7ef847632b81'
const PROJECT = '035f1161-402e-44b4-9073-0749586091e0'
const CLUSTER = '5e52d9b3-3b92-4568-a3a4-620ed9d1d445'
const GiB = 1024 ** 3

// The capture's cluster; the builders' organization and project ids are the ones of the capture.
const devbrain = cluster({
  id: CLUSTER,
  name: 'devbrain',
  crate_version: '5.10.4',
  hardware_specs: {
    cpus_per_node: 1.75,
    disk_size_per_node_bytes: 8 * GiB,
    disk_type: 'premium',
    disks_per_node: 1,
    heap_size_bytes: 2 * GiB,
    memory_per_node_bytes: 4 * GiB
  },
  health: { status: 'GREEN', running_operation: '', last_seen: '2026-05-13T10:34:20.170000' }
})

const routes: Record<string, unknown> = {
  '/api/v2/organizations/': [organization({ id: ORG, name: 'capture-org' })],
  [`/api/v2/organizations/${ORG}/projects/`]: [
    project({ id: PROJECT, name: 'p', organization_id: ORG, region: 'aks1.eastus2.azure' })
  ],
  [`/api/v2/organizations/${ORG}/clusters/`]: [devbrain]
}

let server: Server
let running: RunningExporter | undefined

beforeAll(async () => {
  if (capture === undefined) return
  server = createServer((request, response) => {
    if (request.url === `/api/v2/organizations/${ORG}/metrics/prometheus/`) {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      createReadStream(capture).pipe(response)
      return
    }
    const body = routes[request.url ?? '']
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body ?? { message: 'Resource not found.', success: false }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const flags = new Map<string, FlagValue>([
    ['web.listen-address', '127.0.0.1:0'],
    ['api.url', `http://127.0.0.1:${(server.address() as AddressInfo).port}`]
  ])
  const { config } = loadConfig({
    flags,
    env: { CRATEDB_CLOUD_API_KEY: 'k', CRATEDB_CLOUD_API_SECRET: 's' },
    readFile: (path) => readFileSync(path, 'utf8')
  })
  const logger = createLogger({ level: 'warn', format: 'json', destination: process.stderr })
  running = await startExporter({ config, logger, webConfig: null, revision: 'test', defaultMetrics: false })
  const url = running.url
  await waitFor('readiness', async () => (await fetch(`${url}/readyz`)).status === 200)
})

afterAll(async () => {
  await running?.close()
  server?.close()
})

describe.skipIf(capture === undefined)('the exporter on the real org-metrics capture', () => {
  it('reports the storage held per node as the sum of its shard sizes', async () => {
    const samples = parsePromText(await (await fetch(`${running?.url}/metrics`)).text()).samples
    const storage = (node: string) =>
      samples.find(
        (s) =>
          s.name === 'cratedb_cloud_node_storage_used_bytes' &&
          s.labels['node'] === node &&
          s.labels['cluster_name'] === 'devbrain'
      )?.value
    expect(storage('data-hot-0')).toBe(247_118_391)
    expect(storage('data-hot-1')).toBe(383_545_652)
    expect(storage('data-hot-2')).toBe(270_422_237)
    const clusterUsed = samples.find((s) => s.name === 'cratedb_cloud_cluster_storage_used_bytes')?.value
    expect(clusterUsed).toBe(247_118_391 + 383_545_652 + 270_422_237)
    const utilization = samples.find(
      (s) => s.name === 'cratedb_cloud_cluster_storage_utilization_ratio'
    )?.value
    expect(utilization).toBeCloseTo((247_118_391 + 383_545_652 + 270_422_237) / (3 * 8 * GiB), 12)
    expect(samples.filter((s) => s.name === 'cratedb_cloud_node_shards').map((s) => s.value)).toEqual([
      157, 157, 157
    ])
    const newest = samples.find((s) => s.name === 'cratedb_cloud_org_metrics_newest_sample_timestamp_seconds')
    expect(newest?.value).toBeGreaterThan(1_778_668_400)
    expect(
      samples.find(
        (s) => s.name === 'cratedb_cloud_node_cpu_seconds_total' && s.labels['node'] === 'data-hot-0'
      )?.value
    ).toBe(1219.730375)
  })
})
