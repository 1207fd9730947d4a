import { Registry } from 'prom-client'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { CloudApi } from '../../../src/cloud/api.js'
import { loadConfig } from '../../../src/config/index.js'
import { systemClock } from '../../../src/clock.js'
import { createExporter } from '../../../src/engine/exporter.js'
import { ExpositionBody } from '../../../src/metrics/body.js'
import type { ExpositionRenderer } from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import type { FamilySnapshot } from '../../../src/metrics/types.js'
import type { Exposition } from '../../../src/engine/view.js'
import { cluster, organization, project } from '../../helpers/builders.js'
import { createFakeClock } from '../../helpers/fake-clock.js'

const api = {
  organizations: () => Promise.resolve([organization()]),
  organizationProjects: () => Promise.resolve([project()]),
  organizationClusters: () => Promise.resolve([cluster()]),
  orgMetrics: <T>(
    _id: string,
    _signal: AbortSignal,
    createSink: () => { write(b: Buffer): void; end(): T }
  ) => {
    const sink = createSink()
    sink.write(
      Buffer.from('crate_ready{pod_name="crate-data-hot-8d6a7c3c-61d5-11e9-a639-34e12d2331a1-0"} 1 1\n')
    )
    return Promise.resolve(sink.end())
  },
  credentials: () => [],
  usage: () => ({ requests: 0, errors: {} }),
  close: () => Promise.resolve()
} as unknown as CloudApi

/** The configuration of a run with no flags and a key pair in the environment. */
function defaultConfig() {
  return loadConfig({
    flags: new Map(),
    env: { CRATEDB_CLOUD_API_KEY: 'k', CRATEDB_CLOUD_API_SECRET: 's' },
    readFile: () => ''
  }).config
}

/** A renderer that takes a while, recording what each finished render contained. */
function slowRenderer(delayMs: number) {
  const finished: string[][] = []
  let generation = 0
  let latest: Exposition = {
    text: ExpositionBody.of(''),
    openMetrics: ExpositionBody.of(''),
    renderedAt: 0,
    generation,
    clusters: new Map()
  }
  const renderer: ExpositionRenderer = {
    async render(families: readonly FamilySnapshot[]) {
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      finished.push(families.filter((f) => f.samples.length > 0).map((f) => f.spec.name))
      latest = { ...latest, generation: ++generation }
      return latest
    },
    current: () => latest,
    selfMetrics: () => Promise.resolve({ stable: Buffer.alloc(0), live: Buffer.alloc(0) })
  }
  return { renderer, finished }
}

describe('exporter readiness', () => {
  it('turns ready only once a rendering holds the first complete collection', async () => {
    const config = defaultConfig()
    const { renderer, finished } = slowRenderer(150)
    const exporter = createExporter({
      config,
      api,
      logger: pino({ level: 'silent' }),
      clock: systemClock,
      metrics: createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' }),
      renderer,
      version: 't'
    })
    exporter.start()
    const deadline = Date.now() + 10_000
    while (!exporter.view.ready()) {
      if (Date.now() > deadline) throw new Error('never ready')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const served = finished.at(-1) ?? []
    expect(served).toContain('cratedb_cloud_cluster_nodes')
    expect(served).toContain('cratedb_cloud_node_ready')
    await exporter.stop()
  })
  it('reports a run as successful only in scrapes that also get its data', async () => {
    const config = defaultConfig()
    const { renderer, finished } = slowRenderer(150)
    const metrics = createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' })
    const exporter = createExporter({
      config,
      api,
      logger: pino({ level: 'silent' }),
      clock: systemClock,
      metrics,
      renderer,
      version: 't'
    })
    exporter.start()
    const deadline = Date.now() + 10_000
    const success = async () =>
      (await metrics.collectorSuccess.get()).values.find(
        (sample) => sample.labels.collector === 'org_metrics'
      )?.value
    while (!exporter.view.ready()) {
      if (Date.now() > deadline) throw new Error('never ready')
      if ((await success()) === 1) {
        expect(finished.some((names) => names.includes('cratedb_cloud_node_ready'))).toBe(true)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    // The org_metrics run ends well before the 150 ms render that publishes its data is done.
    expect(finished.at(-1)).toContain('cratedb_cloud_node_ready')
    expect(await success()).toBe(1)
    await exporter.stop()
  })

  it('renders the first complete collection at once, not after the least time between renders', async () => {
    const config = defaultConfig()
    const clock = createFakeClock()
    let renders = 0
    const latest: Exposition = {
      text: ExpositionBody.of(''),
      openMetrics: ExpositionBody.of(''),
      renderedAt: 0,
      generation: 0,
      clusters: new Map()
    }
    const renderer: ExpositionRenderer = {
      render: () => Promise.resolve({ ...latest, generation: ++renders }),
      current: () => latest,
      selfMetrics: () => Promise.resolve({ stable: Buffer.alloc(0), live: Buffer.alloc(0) })
    }
    const exporter = createExporter({
      config,
      api,
      logger: pino({ level: 'silent' }),
      clock,
      metrics: createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' }),
      renderer,
      version: 't',
      renderDelayMs: 20,
      minRenderIntervalMs: 250
    })
    // As at start: a first (empty) rendering, then the polls.
    await exporter.renderNow()
    exporter.start()
    // The inventory and then the organization's collectors run at once; each ends within the same
    // millisecond, well inside the 250 ms between two renders.
    await clock.advance(1)
    expect(exporter.view.ready()).toBe(true)
    expect(renders).toBe(2)
    await exporter.stop()
  })
})
