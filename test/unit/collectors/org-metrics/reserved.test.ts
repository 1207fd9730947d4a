import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { CloudApi } from '../../../../src/cloud/api.js'
import { CloudApiError } from '../../../../src/cloud/errors.js'
import { createDirectoryStore } from '../../../../src/collectors/directory.js'
import { MATCH_ALL } from '../../../../src/collectors/inventory/filters.js'
import { buildDirectory } from '../../../../src/collectors/inventory/collector.js'
import { SAFETY_MARGIN_MS } from '../../../../src/collectors/org-metrics/budget.js'
import { createOrgMetricsCollector } from '../../../../src/collectors/org-metrics/collector.js'
import { createOrgMetricsReader } from '../../../../src/collectors/org-metrics/reader.js'
import type { FamilySnapshot } from '../../../../src/metrics/types.js'
import { cluster, organization, project, valueOf } from '../../../helpers/builders.js'

const ORG = organization()
const ALPHA = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'
const BETA = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'
const CPU = 'cratedb_cloud_cluster_cpu_usage_cores'
const RESERVED = 'cratedb_cloud_org_metrics_reserved_bodies_total'
const W = 60_000

const fixture = readFileSync(
  fileURLToPath(new URL('../../../fixtures/org-metrics/two-clusters.prom', import.meta.url)),
  'utf8'
)

/** The fixture `steps` minutes later: every timestamp 60 s on, every CPU counter 30 s on per step. */
function later(steps: number): string {
  return fixture
    .split('\n')
    .map((line) => {
      const match = /^(\S+\{.*\}|\S+) (\S+) (\d+)$/.exec(line)
      if (match === null) return line
      const value = line.startsWith('container_cpu_usage_seconds_total')
        ? Number(match[2]) + 30 * steps
        : Number(match[2])
      return `${match[1]} ${value} ${Number(match[3]) + W * steps}`
    })
    .join('\n')
}

function setup() {
  let body = fixture
  let now = 1_700_000_002_000
  let failWith: Error | null = null
  const api = {
    orgMetrics<T>(_id: string, _signal: AbortSignal, createSink: () => { write(b: Buffer): void; end(): T }) {
      if (failWith !== null) return Promise.reject(failWith)
      const sink = createSink()
      sink.write(Buffer.from(body))
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
          clusters: [cluster({ id: ALPHA, name: 'alpha' }), cluster({ id: BETA, name: 'beta' })]
        }
      ],
      { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL },
      now
    )
  )
  const collector = createOrgMetricsCollector({
    api,
    logger: pino({ level: 'silent' }),
    clock: { now: () => now },
    organizationId: ORG.id,
    directory,
    createReader: () => createOrgMetricsReader(),
    keepMissingForMs: 3 * W,
    rateLimitWindowMs: W
  })
  return {
    collector,
    poll: (at: number, answer: string): Promise<readonly FamilySnapshot[]> => {
      now = at
      body = answer
      return collector.collect(new AbortController().signal)
    },
    fail: async (at: number, error: Error) => {
      now = at
      failWith = error
      await expect(collector.collect(new AbortController().signal)).rejects.toBe(error)
      failWith = null
    }
  }
}

describe('a re-served organization metrics body', () => {
  it('keeps the last rates, is counted, and the next request goes out when its window ends', async () => {
    const t = setup()
    const t0 = 1_700_000_002_000
    await t.poll(t0, fixture)
    const second = await t.poll(t0 + W + 1500, later(1))
    const cpu = valueOf(second, CPU, { cluster_id: ALPHA })
    expect(cpu).toBeGreaterThan(0)
    expect(valueOf(second, RESERVED, { organization_id: ORG.id })).toBe(0)
    expect(t.collector.nextRunAt?.({ startedAt: t0 + W, intervalMs: W })).toBe(
      t0 + 2 * W + 1500 + SAFETY_MARGIN_MS
    )

    // The same body again 20 s later (another client used the window): no new data.
    const again = await t.poll(t0 + W + 21_500, later(1))
    expect(valueOf(again, CPU, { cluster_id: ALPHA }), 'no false zero CPU').toBe(cpu)
    expect(valueOf(again, RESERVED, { organization_id: ORG.id })).toBe(1)
    // Its window began about the visible lag (learned from the fresh answers) after its newest
    // sample, some 60 s before: the next request goes out when that window ends, well before a whole
    // window after this answer.
    const next = t.collector.nextRunAt?.({ startedAt: t0 + W + 21_000, intervalMs: W }) ?? 0
    expect(next).toBeGreaterThan(t0 + W + 21_500)
    expect(next).toBeLessThan(t0 + W + 21_500 + W - 15_000)

    // New data: rates move on, the count stays.
    const third = await t.poll(t0 + 2 * W + 3000, later(2))
    expect(valueOf(third, RESERVED, { organization_id: ORG.id })).toBe(1)
    expect(valueOf(third, CPU, { cluster_id: ALPHA })).toBeGreaterThan(0)
  })

  it('a 429 plans the next request once, Retry-After plus the margin after it arrived', async () => {
    const t = setup()
    const t0 = 1_700_000_002_000
    await t.poll(t0, fixture)
    await t.fail(
      t0 + 30_000,
      new CloudApiError('throttled', {
        reason: 'throttled',
        endpoint: '/x',
        status: 429,
        retryAfterSeconds: 31
      })
    )
    expect(t.collector.nextRunAt?.({ startedAt: t0 + 29_000, intervalMs: W })).toBe(
      t0 + 61_000 + SAFETY_MARGIN_MS
    )
  })
})
