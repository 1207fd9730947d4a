import { Gauge, Registry, type RegistryContentType } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { families } from '../../../src/metrics/catalogue.js'
import { createExpositionRenderer, joinSelf, scrapeBody } from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import type { FamilySnapshot } from '../../../src/metrics/types.js'

function setup(now = 1_700_000_000_000) {
  const registry = new Registry()
  const self = createSelfMetrics({ registry, version: '1.2.3', revision: 'abc', defaultMetrics: false })
  const clock = { now: () => now }
  const renderer = createExpositionRenderer({ selfRegistry: registry, clock })
  return { registry, self, renderer }
}

const nodes: FamilySnapshot = {
  spec: families.clusterNodes,
  samples: [{ labels: ['c-1', 'prod'], value: 3 }]
}

describe('createExpositionRenderer', () => {
  it('serves an empty rendering before the first, and the self metrics on their own', async () => {
    const { renderer } = setup()
    const current = renderer.current()
    expect(current.generation).toBe(0)
    expect(current.text.byteLength).toBe(0)
    const text = await scrapeBody(renderer, 'text')
    expect(text).toContain('cratedb_cloud_exporter_build_info{version="1.2.3",revision="abc"')
    expect(text).not.toContain('cratedb_cloud_cluster_nodes')
    expect(await scrapeBody(renderer, 'openmetrics')).toMatch(
      /cratedb_cloud_exporter_build_info\{[^\n]*\} 1\n[^]*# EOF\n$/
    )
  })

  it('serves the self metrics after the families in both formats, with one # EOF at the very end', async () => {
    const { renderer, self } = setup()
    self.scrapes.inc({ format: 'text' }, 4)
    const exposition = await renderer.render([nodes])
    expect(exposition.text.toString('utf8')).not.toContain('cratedb_cloud_exporter')
    const text = await scrapeBody(renderer, 'text')
    const openMetrics = await scrapeBody(renderer, 'openmetrics')
    expect(text.indexOf('cratedb_cloud_cluster_nodes{')).toBeLessThan(
      text.indexOf('cratedb_cloud_exporter_build_info')
    )
    expect(text).toContain('cratedb_cloud_exporter_scrapes_total{format="text"} 4\n')
    expect(text).toContain('# TYPE cratedb_cloud_exporter_scrapes_total counter\n')
    expect(openMetrics).toContain('# TYPE cratedb_cloud_exporter_scrapes counter\n')
    expect(openMetrics).toContain('cratedb_cloud_exporter_scrapes_total{format="text"} 4\n')
    expect(openMetrics.match(/# EOF/g)).toHaveLength(1)
    expect(openMetrics.endsWith('\n# EOF\n')).toBe(true)
    expect(exposition.renderedAt).toBe(1_700_000_000_000)
  })

  it('renders the self metrics as they are at each call, without a new rendering', async () => {
    const { renderer, self } = setup()
    const exposition = await renderer.render([nodes])
    self.scrapes.inc({ format: 'text' })
    expect(joinSelf(await renderer.selfMetrics('text')).toString()).toContain(
      'cratedb_cloud_exporter_scrapes_total{format="text"} 1\n'
    )
    self.scrapes.inc({ format: 'text' })
    expect(joinSelf(await renderer.selfMetrics('openmetrics')).toString()).toContain(
      'cratedb_cloud_exporter_scrapes_total{format="text"} 2\n'
    )
    expect(renderer.current()).toBe(exposition)
  })

  it('renders histograms of the self registry', async () => {
    const { renderer, self } = setup()
    self.apiRequestDuration.observe({ endpoint: '/api/v2/organizations/' }, 0.3)
    const text = joinSelf(await renderer.selfMetrics('text')).toString('utf8')
    expect(text).toContain('# TYPE cratedb_cloud_api_request_duration_seconds histogram\n')
    expect(text).toContain(
      'cratedb_cloud_api_request_duration_seconds_bucket{le="0.5",endpoint="/api/v2/organizations/"} 1\n'
    )
    expect(text).toContain(
      'cratedb_cloud_api_request_duration_seconds_count{endpoint="/api/v2/organizations/"} 1\n'
    )
  })

  it('keeps _total on counters even after the registry was serialized as OpenMetrics by prom-client', async () => {
    const { renderer, registry } = setup()
    ;(registry as Registry<RegistryContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
    await registry.metrics() // renames counters in place, dropping _total
    const text = joinSelf(await renderer.selfMetrics('text')).toString('utf8')
    expect(text).toContain('# TYPE cratedb_cloud_exporter_scrapes_total counter\n')
  })

  it('numbers renderings in call order, even when started together', async () => {
    const { renderer } = setup()
    const results = await Promise.all([
      renderer.render([nodes]),
      renderer.render([]),
      renderer.render([nodes])
    ])
    expect(results.map((exposition) => exposition.generation)).toEqual([1, 2, 3])
    expect(renderer.current()).toBe(results[2])
    expect(results[1]?.text.toString('utf8')).not.toContain('cratedb_cloud_cluster_nodes')
  })

  it('fails the self metrics, not the rendering, when the self registry cannot be collected', async () => {
    const { renderer, registry } = setup()
    let fail = true
    new Gauge({
      name: 'flaky',
      help: 'fails to collect once',
      registers: [registry],
      collect() {
        if (fail) throw new Error('collect failed')
      }
    })
    const rendered = await renderer.render([nodes])
    await expect(renderer.selfMetrics('text')).rejects.toThrow('collect failed')
    expect(renderer.current()).toBe(rendered)
    fail = false
    expect(joinSelf(await renderer.selfMetrics('text')).toString()).toContain('flaky 0\n')
  })
})

describe('the cached block renderer', () => {
  it('writes the same bytes as the reference renderer, in both formats, and reuses unchanged snapshots', async () => {
    const { Registry } = await import('prom-client')
    const { renderOpenMetrics, renderText } = await import('../../../src/metrics/exposition.js')
    const { OPENMETRICS_EOF } = await import('../../../src/metrics/render-openmetrics.js')
    const { families: catalogue } = await import('../../../src/metrics/catalogue.js')
    const { sampleBlock } = await import('../../../src/metrics/render-blocks.js')
    const nodes = {
      spec: catalogue.nodeQueries,
      samples: [
        { labels: ['c1', 'a "quoted"\nname\\', 'data-hot-0', 'Select'], value: 12 },
        { labels: ['c1', 'a', 'data-hot-1', 'Insert'], value: 1.5e-7 }
      ]
    }
    const otherOrg = {
      spec: catalogue.nodeQueries,
      samples: [{ labels: ['c2', 'b', 'data-hot-0', 'DDL'], value: NaN }]
    }
    const info = { spec: catalogue.clusterInfo, samples: [{ labels: Array(11).fill('ü'), value: 1 }] }
    const empty = { spec: catalogue.clusterNodes, samples: [] }
    const families = [nodes, info, otherOrg, empty]
    const renderer = createExpositionRenderer({ selfRegistry: new Registry(), clock: { now: () => 0 } })
    const exposition = await renderer.render(families)
    expect(exposition.text.toString()).toBe(renderText(families))
    expect(exposition.openMetrics.toString() + OPENMETRICS_EOF).toBe(renderOpenMetrics(families))
    expect(exposition.text).toBe(exposition.text)
    const again = await renderer.render(families)
    expect(again.generation).toBe(exposition.generation + 1)
    expect(sampleBlock(nodes)).toBe(sampleBlock(nodes))
  })

  it("renders a family larger than one block chunk with the reference renderer's bytes", async () => {
    const { Registry } = await import('prom-client')
    const { renderText } = await import('../../../src/metrics/exposition.js')
    const { families: catalogue } = await import('../../../src/metrics/catalogue.js')
    const samples = Array.from({ length: 6000 }, (_, k) => ({
      labels: [`cluster-${k % 97}`, k % 7 === 0 ? `naïve "${k}" ☃` : `c${k}`, `data-hot-${k % 9}`, 'Select'],
      value: k * 1.25
    }))
    const big = { spec: catalogue.nodeQueries, samples }
    const renderer = createExpositionRenderer({ selfRegistry: new Registry(), clock: { now: () => 0 } })
    const exposition = await renderer.render([big])
    expect(exposition.text.byteLength).toBeGreaterThan(512 * 1024)
    expect(exposition.text.parts.length).toBeGreaterThan(3)
    expect(exposition.text.toString()).toBe(renderText([big]))
  })
})
