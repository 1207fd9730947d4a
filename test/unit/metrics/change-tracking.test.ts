import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createAutopilotMetrics } from '../../../src/autopilot/metrics.js'
import { changeVersion, isTracked, trackChanges } from '../../../src/metrics/change-tracking.js'
import { createExpositionRenderer, joinSelf } from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'

function tracked() {
  const registry = new Registry()
  const registers = [registry]
  const counter = trackChanges(
    new Counter({ name: 'c_total', help: 'c', labelNames: ['l'], registers }),
    registry
  )
  const gauge = trackChanges(new Gauge({ name: 'g', help: 'g', labelNames: ['l'], registers }), registry)
  const histogram = trackChanges(
    new Histogram({ name: 'h', help: 'h', labelNames: ['l'], buckets: [1], registers }),
    registry
  )
  return { registry, counter, gauge, histogram }
}

describe('trackChanges', () => {
  // Every way prom-client offers to change a value, each expected to bump the registry's version.
  const mutations: [string, (m: ReturnType<typeof tracked>) => void][] = [
    ['Counter#inc', (m) => m.counter.inc({ l: 'a' })],
    ['Counter#labels().inc', (m) => m.counter.labels('a').inc(2)],
    ['Counter#reset', (m) => m.counter.reset()],
    ['Counter#remove', (m) => m.counter.remove('a')],
    ['Gauge#set', (m) => m.gauge.set({ l: 'a' }, 1)],
    ['Gauge#inc', (m) => m.gauge.inc({ l: 'a' })],
    ['Gauge#dec', (m) => m.gauge.dec({ l: 'a' })],
    ['Gauge#setToCurrentTime', (m) => m.gauge.setToCurrentTime({ l: 'a' })],
    ['Gauge#labels().set', (m) => m.gauge.labels('a').set(3)],
    ['Gauge#labels().inc', (m) => m.gauge.labels('a').inc()],
    ['Gauge#labels().dec', (m) => m.gauge.labels('a').dec()],
    ['Gauge#labels().setToCurrentTime', (m) => m.gauge.labels('a').setToCurrentTime()],
    ['Gauge#reset', (m) => m.gauge.reset()],
    ['Gauge#remove', (m) => m.gauge.remove('a')],
    ['Histogram#observe', (m) => m.histogram.observe({ l: 'a' }, 0.5)],
    ['Histogram#labels().observe', (m) => m.histogram.labels('a').observe(0.5)],
    ['Histogram#zero', (m) => m.histogram.zero({ l: 'a' })],
    ['Histogram#reset', (m) => m.histogram.reset()],
    ['Histogram#remove', (m) => m.histogram.remove('a')]
  ]
  it.each(mutations)('counts a change made by %s', (_name, mutate) => {
    const metrics = tracked()
    const before = changeVersion(metrics.registry)
    mutate(metrics)
    expect(changeVersion(metrics.registry)).toBeGreaterThan(before)
  })

  it('counts the end of a timer, not its start (Gauge, Histogram, and their labelled children)', () => {
    const metrics = tracked()
    const ends = [
      metrics.gauge.startTimer({ l: 'a' }),
      metrics.gauge.labels('b').startTimer(),
      metrics.histogram.startTimer({ l: 'a' }),
      metrics.histogram.labels('b').startTimer()
    ]
    for (const end of ends) {
      const before = changeVersion(metrics.registry)
      end()
      expect(changeVersion(metrics.registry)).toBeGreaterThan(before)
    }
  })

  it('counts nothing for reads, and keeps one version per registry', async () => {
    const a = tracked()
    const b = tracked()
    const version = changeVersion(a.registry)
    await a.registry.getMetricsAsJSON()
    await a.counter.get()
    b.counter.inc({ l: 'x' })
    expect(changeVersion(a.registry)).toBe(version)
  })

  it('tracks every self metric but the scrape counter, and the autopilot metrics', () => {
    const registry = new Registry()
    const self = createSelfMetrics({ registry, version: '1', revision: 'r', defaultMetrics: true })
    createAutopilotMetrics(registry)
    const untracked = registry
      .getMetricsAsArray()
      .filter((metric) => !isTracked(metric))
      .map((metric) => (metric as unknown as { name: string }).name)
      .filter((name) => !/^(process|nodejs)_/.test(name))
    expect(untracked).toEqual(['cratedb_cloud_exporter_scrapes_total'])
    expect(isTracked(self.scrapes)).toBe(false)
  })
})

describe('the self metrics rendering, reused while nothing changes', () => {
  function setup() {
    const registry = new Registry()
    const self = createSelfMetrics({ registry, version: '1', revision: 'r', defaultMetrics: false })
    const autopilot = createAutopilotMetrics(registry)
    const clock = { now: () => 0 }
    const cached = createExpositionRenderer({ selfRegistry: registry, clock })
    // A renderer made for each call has nothing cached: what the cached one must always equal.
    const fresh = async (format: 'text' | 'openmetrics') =>
      joinSelf(
        await createExpositionRenderer({ selfRegistry: registry, clock }).selfMetrics(format)
      ).toString()
    return { registry, self, autopilot, cached, fresh }
  }

  it('keeps the same stable Buffer across scrapes, while the scrape counter is current in each', async () => {
    const { self, cached } = setup()
    const first = await cached.selfMetrics('text')
    self.scrapes.inc({ format: 'text' })
    const second = await cached.selfMetrics('text')
    self.scrapes.inc({ format: 'text' })
    const third = await cached.selfMetrics('text')
    expect(second.stable).toBe(first.stable)
    expect(third.stable).toBe(first.stable)
    expect(second.live.toString()).toContain('cratedb_cloud_exporter_scrapes_total{format="text"} 1\n')
    expect(third.live.toString()).toContain('cratedb_cloud_exporter_scrapes_total{format="text"} 2\n')
    self.collectorSuccess.set({ collector: 'org_metrics', organization_id: 'o' }, 1)
    const fourth = await cached.selfMetrics('text')
    expect(fourth.stable).not.toBe(first.stable)
    expect(fourth.stable.toString()).toContain(
      'cratedb_cloud_collector_success{collector="org_metrics",organization_id="o"} 1\n'
    )
  })

  it('equals a rendering from scratch after every change the exporter makes, in both formats', async () => {
    const { registry, self, autopilot, cached, fresh } = setup()
    const labels = { collector: 'org_metrics', organization_id: 'o' }
    const steps: (() => void)[] = [
      () => self.apiRequests.inc({ endpoint: '/a' }),
      () => self.apiErrors.inc({ endpoint: '/a', reason: 'timeout' }),
      () => self.apiRequestDuration.startTimer({ endpoint: '/a' })(),
      () => self.apiRequestDuration.labels('/b').observe(0.2),
      () => self.apiRetries.inc({ endpoint: '/a' }),
      () => self.credentialActive.set({ credential: 'k' }, 1),
      () => self.credentialFailures.inc({ credential: 'k' }),
      () => self.credentialFailovers.inc(),
      () => self.collectorSuccess.set(labels, 0),
      () => self.collectorDuration.set(labels, 1.5),
      () => self.collectorLastSuccess.set(labels, 1234),
      () => self.collectorRuns.inc(labels),
      () => self.collectorFailures.inc(labels),
      () => self.collectorDataAge.set(labels, 3),
      () => self.collectorDataAge.remove(labels),
      () => self.collectorRuns.remove(labels),
      () => self.scrapes.inc({ format: 'openmetrics' }),
      () => self.webConfigReloads.inc(),
      () => self.webConfigReloadFailures.inc({ reason: 'invalid' }),
      () => self.webConfigReloadRefused.set(1),
      () => autopilot.actions.inc({ cluster_id: 'c', cluster_name: 'n', outcome: 'dry_run' }),
      () => autopilot.lastAction.set({ cluster_id: 'c', cluster_name: 'n' }, 99),
      // a metric registered later, untracked: read for every scrape
      () =>
        void new Gauge({
          name: 'late',
          help: 'registered after the first scrape',
          registers: [registry]
        }).set(7)
    ]
    for (const step of steps) {
      step()
      for (const format of ['text', 'openmetrics'] as const) {
        expect(joinSelf(await cached.selfMetrics(format)).toString()).toBe(await fresh(format))
      }
    }
    expect(joinSelf(await cached.selfMetrics('text')).toString()).toContain('late 7\n')
  })
})
