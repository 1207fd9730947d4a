import { gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { families } from '../../../src/metrics/catalogue.js'
import { createExpositionRenderer } from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import { buildServer } from '../../../src/server/build-server.js'
import { captureLogger, fakeView } from './fake-view.js'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

const ACCEPT = { text: 'text/plain', openmetrics: 'application/openmetrics-text; version=1.0.0' } as const

/** A server over a real renderer and real self metrics (process metrics included), rendered once. */
async function setup(processMetricsMaxAgeMs?: number) {
  const registry = new Registry()
  const selfMetrics = createSelfMetrics({ registry, version: 't', revision: 't', defaultMetrics: true })
  const renderer = createExpositionRenderer({
    selfRegistry: registry,
    clock: { now: () => Date.now() },
    ...(processMetricsMaxAgeMs === undefined ? {} : { processMetricsMaxAgeMs })
  })
  await renderer.render([{ spec: families.clusterNodes, samples: [{ labels: ['c-1', 'prod'], value: 3 }] }])
  const view = fakeView()
  view.exposition = () => renderer.current()
  view.selfMetrics = (format) => renderer.selfMetrics(format)
  const { logger } = captureLogger()
  app = buildServer({ view, logger, telemetryPath: '/metrics', webConfig: null, selfMetrics })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { address, renderer }
}

/** One sample's value from a body in either format. */
function valueOf(body: string, sample: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${sample} `))
  if (line === undefined) throw new Error(`no ${sample} in the body`)
  return Number(line.slice(sample.length + 1))
}

describe('the self metrics are current at every scrape', () => {
  it.each([
    ['text', 'identity'],
    ['text', 'gzip'],
    ['openmetrics', 'identity'],
    ['openmetrics', 'gzip']
  ] as const)(
    '%s, %s: the scrape counter grows by one per scrape, without a new rendering',
    async (format, encoding) => {
      const { address, renderer } = await setup()
      const generation = renderer.current().generation
      const scrape = async (): Promise<string> => {
        // Raw bytes: the gzip body is decoded here by a strict single-member gunzip (CRC and length checked).
        const response = await request(`${address}/metrics`, {
          headers: { accept: ACCEPT[format], 'accept-encoding': encoding }
        })
        expect(response.statusCode).toBe(200)
        expect(response.headers['content-encoding']).toBe(encoding === 'gzip' ? 'gzip' : undefined)
        const raw = Buffer.from(await response.body.arrayBuffer())
        expect(response.headers['content-length']).toBe(String(raw.length))
        return encoding === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
      }
      const counter = `cratedb_cloud_exporter_scrapes_total{format="${format}"}`
      const bodies: string[] = []
      for (let i = 0; i < 4; i++) bodies.push(await scrape())
      expect(bodies.map((body) => valueOf(body, counter))).toEqual([1, 2, 3, 4])
      for (const body of bodies) {
        expect(body).toContain('cratedb_cloud_cluster_nodes{cluster_id="c-1",cluster_name="prod"} 3\n')
        if (format === 'openmetrics') {
          expect(body.endsWith('\n# EOF\n')).toBe(true)
          expect(body.match(/^# EOF$/gm)).toHaveLength(1)
        }
      }
      expect(renderer.current().generation).toBe(generation)
    }
  )

  it('shows the CPU the process used since the previous scrape, once the process metrics are older than their limit', async () => {
    const { address } = await setup(50)
    const cpu = async () =>
      valueOf(await (await fetch(`${address}/metrics`)).text(), 'process_cpu_user_seconds_total')
    const before = await cpu()
    const started = process.cpuUsage().user
    while (process.cpuUsage().user - started < 100_000) Math.sqrt(Math.random())
    expect((await cpu()) - before).toBeGreaterThanOrEqual(0.1)
  })

  it('shares one collection of the process metrics between scrapes within its limit', async () => {
    const { address } = await setup(60_000)
    const cpu = async () =>
      valueOf(await (await fetch(`${address}/metrics`)).text(), 'process_cpu_user_seconds_total')
    const before = await cpu()
    const started = process.cpuUsage().user
    while (process.cpuUsage().user - started < 100_000) Math.sqrt(Math.random())
    expect(await cpu()).toBe(before)
  })
})
