import { Registry } from 'prom-client'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { CloudApiError } from '../../../src/cloud/errors.js'
import type { Collector } from '../../../src/collectors/collector.js'
import { createRunner } from '../../../src/engine/scheduler.js'
import { families as f } from '../../../src/metrics/catalogue.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import type { FamilySnapshot } from '../../../src/metrics/types.js'
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js'

const silent = pino({ level: 'silent' })
const config = { enabled: true, intervalSeconds: 0.05, timeoutSeconds: 1 }

function snapshot(value: number): FamilySnapshot[] {
  return [{ spec: f.clusterNodes, samples: [{ labels: ['id', 'name'], value }] }]
}

// Every timer of the runner (poll intervals, run deadlines) goes through the fake clock: no test here
// waits for real time.
function setup(collect: (signal: AbortSignal, clock: FakeClock) => ReturnType<Collector['collect']>) {
  const clock = createFakeClock()
  const metrics = createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' })
  const ends: unknown[] = []
  const runner = createRunner({
    logger: silent,
    clock,
    metrics,
    maxStalenessIntervals: 3,
    onRunEnd: (_collector, error) => ends.push(error),
    random: () => 0
  })
  runner.add({ name: 'inventory', organizationId: '', collect: (signal) => collect(signal, clock) }, config)
  return { runner, metrics, ends, clock }
}

describe('scheduler', () => {
  it('keeps the last good data through failures until it is older than 3 intervals, then withdraws it', async () => {
    let calls = 0
    const { runner, ends, clock, metrics } = setup(() => {
      calls++
      if (calls === 1) return Promise.resolve(snapshot(3))
      return Promise.reject(new CloudApiError('boom', { reason: 'server', endpoint: '/x', status: 500 }))
    })
    await clock.advance(0)
    expect(ends).toEqual([null])
    await clock.advance(50)
    expect(ends).toHaveLength(2)
    expect(runner.families()[0]?.samples[0]?.value).toBe(3)
    const status = runner.statuses()[0]
    expect(status).toMatchObject({ success: false, lastErrorReason: 'server', stale: false })
    runner.snapshot().publish()
    expect((await metrics.collectorSuccess.get()).values[0]?.value).toBe(0)
    await clock.advance(100)
    expect(runner.families()[0]?.samples[0]?.value).toBe(3)
    await clock.advance(1)
    expect(runner.families()).toEqual([])
    expect(runner.statuses()[0]?.stale).toBe(true)
    await runner.stop()
  })

  it("sets a run's success, duration and last-success gauges when the rendering of its data is published", async () => {
    let calls = 0
    const { runner, clock, metrics } = setup(() => {
      calls++
      if (calls === 1) return Promise.resolve(snapshot(3))
      return Promise.reject(new CloudApiError('boom', { reason: 'server', endpoint: '/x', status: 500 }))
    })
    const value = async (gauge: 'collectorSuccess' | 'collectorDuration' | 'collectorLastSuccess') =>
      (await metrics[gauge].get()).values[0]?.value
    await clock.advance(0)
    const succeededAt = clock.now() / 1000
    expect(runner.statuses()[0]?.success).toBe(true)
    expect(await value('collectorSuccess')).toBeUndefined()
    expect(await value('collectorLastSuccess')).toBeUndefined()
    const first = runner.snapshot()
    expect(first.families[0]?.samples[0]?.value).toBe(3)
    // The second run fails before the first rendering is published: that rendering still shows the
    // first run's outcome, the one that matches its data.
    await clock.advance(50)
    expect(runner.statuses()[0]?.success).toBe(false)
    first.publish()
    expect(await value('collectorSuccess')).toBe(1)
    expect(await value('collectorLastSuccess')).toBe(succeededAt)
    expect(await value('collectorDuration')).toBeGreaterThanOrEqual(0)
    // Its own outcome waits for the next rendering; published once, it is not published again.
    const second = runner.snapshot()
    second.publish()
    expect(await value('collectorSuccess')).toBe(0)
    expect(await value('collectorLastSuccess')).toBe(succeededAt)
    metrics.collectorSuccess.set({ collector: 'inventory', organization_id: '' }, 7)
    runner.snapshot().publish()
    expect(await value('collectorSuccess')).toBe(7)
    await runner.stop()
  })

  it('never overlaps two runs of the same collector', async () => {
    let active = 0
    let maxActive = 0
    let runs = 0
    const { runner, clock } = setup(async (_signal, clock) => {
      active++
      runs++
      maxActive = Math.max(maxActive, active)
      // A run longer than the 50 ms interval.
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 80))
      active--
      return snapshot(runs)
    })
    await clock.advance(1000)
    expect(runs).toBeGreaterThanOrEqual(7)
    expect(maxActive).toBe(1)
    await runner.stop()
  })

  it('aborts a run at its deadline and reports a timeout', async () => {
    const { runner, ends, clock } = setup(
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')))
        })
    )
    runner.remove('inventory', '')
    runner.add(
      {
        name: 'quotas',
        organizationId: 'o',
        collect: (signal) =>
          new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('x'))))
      },
      { enabled: true, intervalSeconds: 10, timeoutSeconds: 0.05 }
    )
    await clock.advance(49)
    expect(ends).toEqual([])
    await clock.advance(1)
    expect(ends).toHaveLength(1)
    expect(runner.statuses()[0]).toMatchObject({
      collector: 'quotas',
      success: false,
      lastErrorReason: 'timeout'
    })
    await runner.stop()
  })

  it('stop() aborts a run in flight and waits for it', async () => {
    let aborted = false
    const { runner, clock } = setup(
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true
            reject(new Error('aborted'))
          })
        })
    )
    await clock.advance(0)
    expect(runner.statuses()[0]?.lastRunAt).toBe(clock.now())
    await runner.stop()
    expect(aborted).toBe(true)
  })
  it('runs a new collector at once and delays its second run by the jitter', async () => {
    const clock = createFakeClock()
    const metrics = createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' })
    const runs: number[] = []
    const runner = createRunner({
      logger: silent,
      clock,
      metrics,
      maxStalenessIntervals: 3,
      onRunEnd: () => undefined,
      random: () => 0.5
    })
    const started = clock.now()
    runner.add(
      {
        name: 'inventory',
        organizationId: '',
        collect: () => {
          // The wait after a run is shortened by its real duration (performance.now()): to 100 ms here.
          runs.push(Math.round((clock.now() - started) / 100) * 100)
          return Promise.resolve(snapshot(runs.length))
        }
      },
      { enabled: true, intervalSeconds: 10, timeoutSeconds: 1 }
    )
    await clock.advance(0)
    // Readiness waits for every collector's first run: no jitter before it.
    expect(runs).toEqual([0])
    await clock.advance(10_000)
    expect(runs).toEqual([0])
    await clock.advance(500)
    expect(runs).toEqual([0, 10_500])
    await clock.advance(10_000)
    expect(runs).toEqual([0, 10_500, 20_500])
    await runner.stop()
  })
})
