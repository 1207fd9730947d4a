import bcrypt from 'bcryptjs'
import { gunzipSync } from 'node:zlib'
import { Registry } from 'prom-client'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClusterTarget, Exposition } from '../../../src/engine/view.js'
import { families as f } from '../../../src/metrics/catalogue.js'
import { createExpositionRenderer } from '../../../src/metrics/exposition.js'
import type { FamilySnapshot } from '../../../src/metrics/types.js'
import { buildServer } from '../../../src/server/build-server.js'
import { parseWebConfig } from '../../../src/server/web-config.js'
import { NOW, captureLogger, fakeView, testSelfMetrics, type FakeView } from './fake-view.js'

const ONE = '6a0e1c8e-3b0f-4f52-9a8e-0c4ce1b8c001'
const TWO = '6a0e1c8e-3b0f-4f52-9a8e-0c4ce1b8c002'
const UNKNOWN = '6a0e1c8e-3b0f-4f52-9a8e-0c4ce1b8c0ff'

const FAMILIES: FamilySnapshot[] = [
  { spec: f.organizationInfo, samples: [{ labels: ['org-1', 'Acme'], value: 1 }] },
  {
    spec: f.clusterNodes,
    samples: [
      { labels: [ONE, 'one'], value: 3 },
      { labels: [TWO, 'two'], value: 1 }
    ]
  },
  {
    spec: f.nodeCpuSeconds,
    samples: [
      { labels: [ONE, 'one', 'crate-0'], value: 12.5 },
      { labels: [TWO, 'two', 'crate-0'], value: 3 },
      { labels: [ONE, 'one', 'crate-1'], value: 13.5 }
    ]
  }
]

function target(clusterId: string, clusterName: string): ClusterTarget {
  return {
    clusterId,
    clusterName,
    organizationId: 'org-1',
    organizationName: 'Acme',
    projectId: 'p-1',
    projectName: 'Main',
    region: 'eks1.eu-west-1.aws',
    productName: 'cr1',
    productTier: 'default'
  }
}

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function setup(
  options: { externalUrl?: string; webConfig?: string } = {}
): Promise<{ app: FastifyInstance; view: FakeView; lines: () => string[]; exposition: Exposition }> {
  const renderer = createExpositionRenderer({ selfRegistry: new Registry(), clock: { now: () => NOW } })
  const exposition = await renderer.render(FAMILIES)
  const view = fakeView()
  view.current = exposition
  view.clusterTargets = [target(ONE, 'one'), target(TWO, 'two')]
  view.probeLookup = (clusterId) =>
    clusterId === ONE || clusterId === TWO
      ? { found: true, exposition, dataTimestamp: NOW - 42_000 }
      : { found: false, reason: `cluster ${clusterId} is not in the inventory` }
  const { logger, lines } = captureLogger('debug')
  app = buildServer({
    view,
    logger,
    telemetryPath: '/metrics',
    webConfig:
      options.webConfig === undefined ? null : parseWebConfig(options.webConfig, '/web.yml', () => ''),
    selfMetrics: testSelfMetrics(),
    externalUrl: options.externalUrl ?? null,
    clock: { now: () => NOW, setTimeout, clearTimeout } as never
  })
  return { app, view, lines, exposition }
}

describe('GET /sd', () => {
  it('gives one target group per cluster, with only instance and __ labels, at the Host of the request', async () => {
    const { app } = await setup()
    const response = await app.inject({ url: '/sd', headers: { host: 'exporter.monitoring:9863' } })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    const groups = response.json<{ targets: string[]; labels: Record<string, string> }[]>()
    expect(groups).toHaveLength(2)
    expect(groups[0]).toEqual({
      targets: ['exporter.monitoring:9863'],
      labels: {
        __metrics_path__: '/probe',
        __scheme__: 'http',
        __param_cluster_id: ONE,
        instance: `one/${ONE}`,
        __meta_cratedb_cloud_cluster_id: ONE,
        __meta_cratedb_cloud_cluster_name: 'one',
        __meta_cratedb_cloud_organization_id: 'org-1',
        __meta_cratedb_cloud_organization_name: 'Acme',
        __meta_cratedb_cloud_project_id: 'p-1',
        __meta_cratedb_cloud_project_name: 'Main',
        __meta_cratedb_cloud_region: 'eks1.eu-west-1.aws',
        __meta_cratedb_cloud_product_name: 'cr1',
        __meta_cratedb_cloud_product_tier: 'default'
      }
    })
    // No label a probed series carries itself: Prometheus would rename it to exported_<name>.
    for (const group of groups)
      for (const name of Object.keys(group.labels))
        expect(name === 'instance' || name.startsWith('__')).toBe(true)
  })

  it('uses --web.external-url for the address, scheme and path prefix', async () => {
    const { app } = await setup({ externalUrl: 'https://metrics.example.org/cratedb' })
    const groups = (await app.inject({ url: '/sd' })).json<
      { targets: string[]; labels: Record<string, string> }[]
    >()
    expect(groups[1]?.targets).toEqual(['metrics.example.org'])
    expect(groups[1]?.labels['__scheme__']).toBe('https')
    expect(groups[1]?.labels['__metrics_path__']).toBe('/cratedb/probe')
  })

  it('answers [] when there is no cluster', async () => {
    const { app, view } = await setup()
    view.clusterTargets = []
    const response = await app.inject({ url: '/sd', headers: { host: 'h:1' } })
    expect(response.body).toBe('[]')
  })
})

describe('GET /probe', () => {
  it("serves exactly the cluster's lines of /metrics, plus probe_success and the data age", async () => {
    const { app } = await setup()
    const metrics = (await app.inject({ url: '/metrics' })).body
    const response = await app.inject({ url: `/probe?cluster_id=${ONE}` })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const samples = (text: string): string[] =>
      text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
    expect(samples(response.body)).toEqual([
      ...samples(metrics).filter((line) => line.includes(`cluster_id="${ONE}"`)),
      'cratedb_cloud_probe_success 1',
      'cratedb_cloud_probe_data_age_seconds 42'
    ])
    expect(samples(response.body)).toHaveLength(5)
  })

  it('serves OpenMetrics and gzip as /metrics does', async () => {
    const { app } = await setup()
    const response = await app.inject({
      url: `/probe?cluster_id=${TWO}`,
      headers: { accept: 'application/openmetrics-text; version=1.0.0', 'accept-encoding': 'gzip' }
    })
    expect(response.headers['content-type']).toMatch(/^application\/openmetrics-text/)
    expect(response.headers['content-encoding']).toBe('gzip')
    const body = gunzipSync(response.rawPayload).toString('utf8')
    expect(body).toContain('# TYPE cratedb_cloud_node_cpu_seconds counter\n')
    expect(body).toContain(
      `cratedb_cloud_node_cpu_seconds_total{cluster_id="${TWO}",cluster_name="two",node="crate-0"} 3\n`
    )
    expect(body).not.toContain(ONE)
    expect(body.endsWith('# EOF\n')).toBe(true)
  })

  it('answers an unknown cluster like blackbox_exporter: 200, probe_success 0, the reason at debug', async () => {
    const { app, lines } = await setup()
    const response = await app.inject({ url: `/probe?cluster_id=${UNKNOWN}` })
    expect(response.statusCode).toBe(200)
    expect(response.body.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toEqual([
      'cratedb_cloud_probe_success 0'
    ])
    const logged = lines().map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 20,
        cluster_id: UNKNOWN,
        reason: `cluster ${UNKNOWN} is not in the inventory`
      })
    )
  })

  it.each([
    ['no cluster_id', '/probe', 'the cluster_id parameter is missing'],
    ['not a uuid', '/probe?cluster_id=production', 'cluster_id must be a cluster uuid, got "production"'],
    ['twice', `/probe?cluster_id=${ONE}&cluster_id=${TWO}`, 'give cluster_id once']
  ])('answers %s with 400 and says why', async (_name, url, message) => {
    const { app } = await setup()
    const response = await app.inject({ url })
    expect(response.statusCode).toBe(400)
    expect(response.json<{ message: string }>().message).toContain(message)
  })

  it('is covered by basic auth like /metrics, and so is /sd', async () => {
    const hash = bcrypt.hashSync('secret', 4)
    const { app } = await setup({ webConfig: `basic_auth_users:\n  prometheus: "${hash}"\n` })
    for (const url of ['/sd', `/probe?cluster_id=${ONE}`]) {
      expect((await app.inject({ url, headers: { host: 'h:1' } })).statusCode).toBe(401)
      const authorization = `Basic ${Buffer.from('prometheus:secret').toString('base64')}`
      expect((await app.inject({ url, headers: { host: 'h:1', authorization } })).statusCode).toBe(200)
    }
  })
})
