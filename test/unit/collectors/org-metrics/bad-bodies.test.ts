import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Registry } from 'prom-client'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CloudApi } from '../../../../src/cloud/api.js'
import { systemClock } from '../../../../src/clock.js'
import { ENDPOINTS } from '../../../../src/cloud/endpoints.js'
import { guardedSink } from '../../../../src/cloud/http.js'
import { createOrgMetricsReader } from '../../../../src/collectors/org-metrics/reader.js'
import { createDirectoryStore } from '../../../../src/collectors/directory.js'
import { MATCH_ALL } from '../../../../src/collectors/inventory/filters.js'
import { buildDirectory } from '../../../../src/collectors/inventory/collector.js'
import { SAFETY_MARGIN_MS } from '../../../../src/collectors/org-metrics/budget.js'
import { createOrgMetricsCollector } from '../../../../src/collectors/org-metrics/collector.js'
import { createRunner } from '../../../../src/engine/scheduler.js'
import { createSelfMetrics } from '../../../../src/metrics/self-metrics.js'
import { cluster, organization, project, valueOf } from '../../../helpers/builders.js'

const silent = pino({ level: 'silent' })
const ORG = organization()
const ALPHA = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'
const BETA = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'
const INTERVAL_MS = 60_000
const STALENESS_INTERVALS = 3
const STORAGE = 'cratedb_cloud_cluster_storage_used_bytes'

const good = readFileSync(
  fileURLToPath(new URL('../../../fixtures/org-metrics/two-clusters.prom', import.meta.url)),
  'utf8'
)
const middle = good.indexOf('\n', good.length / 2)

/** 200 answers that are no fresh data for some or all clusters, and the clusters they lack. */
const BAD_BODIES: readonly { name: string; body: string; lacks: readonly string[] }[] = [
  { name: 'garbage', body: 'this is { not valid\n%%% neither is this\n', lacks: [ALPHA, BETA] },
  { name: 'an empty body', body: '', lacks: [ALPHA, BETA] },
  { name: 'a body cut inside a line', body: good.slice(0, middle - 7), lacks: [ALPHA, BETA] },
  {
    name: 'an HTML maintenance page',
    body: '<html><head><title>Maintenance</title></head>\n<body><h1>Back soon</h1></body></html>\n',
    lacks: [ALPHA, BETA]
  },
  {
    name: 'a body without one running cluster',
    body: good
      .split('\n')
      .filter((line) => !line.includes(BETA))
      .join('\n'),
    lacks: [BETA]
  }
]

function setup() {
  let body = good
  const api = {
    orgMetrics<T>(_id: string, _signal: AbortSignal, createSink: () => { write(b: Buffer): void; end(): T }) {
      // As the client reads it: in chunks, a sink that throws is a decode failure.
      const sink = guardedSink(ENDPOINTS.orgMetrics, createSink())
      const bytes = Buffer.from(body)
      for (let i = 0; i < bytes.length; i += 1000) sink.write(bytes.subarray(i, i + 1000))
      return Promise.resolve(sink.end())
    }
  } as unknown as CloudApi
  const directory = createDirectoryStore()
  directory.publish(
    buildDirectory(
      [
        {
          organization: ORG,
          projects: [project()],
          clusters: [
            cluster({ id: ALPHA, name: 'alpha' }),
            cluster({ id: BETA, name: 'beta' }),
            cluster({ id: 'c0ffee00-0000-4000-8000-000000000000', name: 'asleep', suspended: true })
          ]
        }
      ],
      { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL },
      Date.now()
    )
  )
  const metrics = createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' })
  // systemClock's timers are Node's, which vi.useFakeTimers() replaces.
  const clock = systemClock
  const runner = createRunner({
    logger: silent,
    clock,
    metrics,
    maxStalenessIntervals: STALENESS_INTERVALS,
    onRunEnd: () => undefined,
    random: () => 0
  })
  const collector = createOrgMetricsCollector({
    api,
    logger: silent,
    clock,
    organizationId: ORG.id,
    directory,
    createReader: () => createOrgMetricsReader(),
    keepMissingForMs: STALENESS_INTERVALS * INTERVAL_MS,
    // The window plus the budget's margin just under the interval (answers here arrive at once): one
    // poll per interval.
    rateLimitWindowMs: INTERVAL_MS - SAFETY_MARGIN_MS
  })
  runner.add(collector, { enabled: true, intervalSeconds: INTERVAL_MS / 1000, timeoutSeconds: 30 })
  const storage = (clusterId: string) => valueOf(runner.families(), STORAGE, { cluster_id: clusterId })
  const failures = async () =>
    (await metrics.collectorFailures.get()).values.find((v) => v.labels.collector === 'org_metrics')?.value
  return {
    runner,
    storage,
    failures,
    answer: (text: string) => {
      body = text
    },
    status: () => runner.statuses()[0]!
  }
}

describe('a 200 answer of the organization metrics endpoint that is no fresh data', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 4, 13, 10, 0, 0) })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each(BAD_BODIES)(
    '$name: keeps the last good data until the staleness limit and fails the poll',
    async (bad) => {
      const t = setup()
      await vi.advanceTimersByTimeAsync(0)
      expect(t.status().success).toBe(true)
      const before: Record<string, number | undefined> = {
        [ALPHA]: t.storage(ALPHA),
        [BETA]: t.storage(BETA)
      }
      expect(before[ALPHA]).toBeGreaterThan(0)
      expect(before[BETA]).toBeGreaterThan(0)

      t.answer(bad.body)
      // Polls at 1, 2 and 3 intervals after the last good one: the data is at most as old as the limit.
      for (let poll = 1; poll <= STALENESS_INTERVALS; poll++) {
        await vi.advanceTimersByTimeAsync(INTERVAL_MS)
        expect(t.status()).toMatchObject({ success: false, lastErrorReason: 'decode' })
        expect(await t.failures()).toBe(poll)
        for (const id of [ALPHA, BETA])
          expect(t.storage(id), `${id} after ${poll} bad polls`).toBe(before[id])
      }
      if (bad.lacks.length === 1) expect(t.status().lastErrorMessage).toContain(`beta (${BETA})`)
      // One more interval: older than the limit, the lacking clusters' data is withdrawn.
      await vi.advanceTimersByTimeAsync(INTERVAL_MS)
      expect(await t.failures()).toBe(STALENESS_INTERVALS + 1)
      for (const id of [ALPHA, BETA])
        expect(t.storage(id), id).toBe(bad.lacks.includes(id) ? undefined : before[id])

      // A good answer again: every cluster is back and the poll succeeds.
      t.answer(good)
      await vi.advanceTimersByTimeAsync(INTERVAL_MS)
      expect(t.status()).toMatchObject({ success: true, lastErrorReason: null })
      for (const id of [ALPHA, BETA]) expect(t.storage(id)).toBe(before[id])
      await t.runner.stop()
    }
  )

  it('does not fail the poll for a suspended cluster, which has no rows', async () => {
    const t = setup()
    await vi.advanceTimersByTimeAsync(0)
    expect(t.status()).toMatchObject({ success: true, lastErrorReason: null })
    await t.runner.stop()
  })
})
