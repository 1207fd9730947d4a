import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { CloudApi } from '../../../../src/cloud/api.js'
import type { OrgMetricsReading } from '../../../../src/collectors/org-metrics/types.js'
import { createDirectoryStore } from '../../../../src/collectors/directory.js'
import { MATCH_ALL } from '../../../../src/collectors/inventory/filters.js'
import { buildDirectory } from '../../../../src/collectors/inventory/collector.js'
import { createOrgMetricsCollector } from '../../../../src/collectors/org-metrics/collector.js'
import { createLogger } from '../../../../src/logger.js'
import { cluster, nodeReading, organization, project, reading } from '../../../helpers/builders.js'

const ORG = organization()
const C = cluster()
const filters = { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }

describe('org_metrics collector', () => {
  it('logs once, at the second poll, that CPU rates are available', async () => {
    const directory = createDirectoryStore()
    directory.publish(
      buildDirectory([{ organization: ORG, projects: [project()], clusters: [C] }], filters, 1)
    )
    const readings: OrgMetricsReading[] = [0, 1, 2].map((poll) =>
      reading([
        nodeReading(C.id, 'data-hot-0', {
          cpuSecondsTotal: { value: 1000 + 90 * poll, timestampMs: 60_000 * poll }
        })
      ])
    )
    let polls = 0
    const api = { orgMetrics: () => Promise.resolve(readings[polls++] ?? null) } as unknown as CloudApi
    let log = ''
    const logger = createLogger({
      level: 'info',
      format: 'json',
      destination: new Writable({
        write: (chunk: Buffer, _encoding, done) => ((log += chunk.toString()), done())
      })
    })
    const collector = createOrgMetricsCollector({
      api,
      logger,
      clock: { now: () => 0 },
      organizationId: ORG.id,
      directory,
      keepMissingForMs: 180_000,
      rateLimitWindowMs: 60_000,
      createReader: () => {
        throw new Error('not read: the fake API returns readings')
      }
    })
    const signal = new AbortController().signal
    await collector.collect(signal)
    expect(log).toBe('')
    await collector.collect(signal)
    await collector.collect(signal)
    const lines = log
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 30,
      clusters: 1,
      msg: expect.stringMatching(/^CPU rates are available/)
    })
  })
})
