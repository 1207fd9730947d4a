import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shardOf } from '../../../src/collectors/shard.js'
import { hasPolled, startTestExporter, waitFor, type TestExporter } from '../../helpers/exporter.js'
import { startTestSimulator, type RunningSimulator } from '../../helpers/simulator.js'

const TOTAL = 3
const ORGANIZATIONS = 10
const CLUSTERS = 2
const KEYS = Array.from({ length: TOTAL + 1 }, (_v, i) => ({
  key: `crate_${String(i).repeat(40).slice(0, 40)}`,
  secret: `secret-${i}-${'s'.repeat(30)}`
}))

async function text(exporter: TestExporter): Promise<string> {
  const response = await fetch(`${exporter.url}/metrics`, {
    headers: { accept: 'text/plain; version=0.0.4' }
  })
  return response.text()
}

/** `name{labels}` of the cluster and node series (values aside). */
function clusterSeries(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => /^cratedb_cloud_(cluster|node)_/.test(line))
    .map((line) => line.slice(0, line.lastIndexOf(' ')))
}

/**
 * Three exporters with --total-shards=3 and one unsharded exporter against one simulator of ten
 * organizations, each exporter with its own API key, so that the simulator's request log tells who
 * asked for what.
 */
describe('organizations split across three shards', () => {
  let simulator: RunningSimulator
  let shards: TestExporter[]
  let whole: TestExporter
  let organizationIds: string[]

  beforeAll(async () => {
    simulator = await startTestSimulator({
      scenario: {
        kind: 'generated',
        organizations: ORGANIZATIONS,
        projectsPerOrganization: 1,
        clusters: CLUSTERS
      },
      credentials: KEYS
    })
    organizationIds = simulator.state.organizations().map((organization) => organization.id)
    const env = (i: number): NodeJS.ProcessEnv => ({
      CRATEDB_CLOUD_API_KEY: KEYS[i]!.key,
      CRATEDB_CLOUD_API_SECRET: KEYS[i]!.secret
    })
    shards = await Promise.all(
      Array.from({ length: TOTAL }, (_v, ordinal) =>
        startTestExporter(simulator, {
          env: env(ordinal),
          flags: { 'total-shards': String(TOTAL), shard: String(ordinal) }
        })
      )
    )
    whole = await startTestExporter(simulator, { env: env(TOTAL) })
    const owned = (ordinal: number): number =>
      organizationIds.filter((id) => shardOf(id, TOTAL) === ordinal).length
    await waitFor(
      'every exporter to poll all its organizations once',
      async () => {
        for (const [ordinal, shard] of shards.entries()) {
          if (!hasPolled(await text(shard), owned(ordinal), owned(ordinal) * CLUSTERS)) return false
        }
        return hasPolled(await text(whole), ORGANIZATIONS, ORGANIZATIONS * CLUSTERS)
      },
      60_000
    )
  })

  afterAll(async () => {
    await Promise.allSettled([...(shards ?? []), whole].map((exporter) => exporter?.close()))
    await simulator?.close()
  })

  it("has each organization's metrics endpoint requested by exactly one shard, its own", () => {
    const shardKeys = KEYS.slice(0, TOTAL).map((pair) => pair.key)
    for (const id of organizationIds) {
      for (const endpoint of ['metrics/prometheus/', 'clusters/']) {
        const path = `/api/v2/organizations/${id}/${endpoint}`
        const askers = new Set(
          simulator.requestLog
            .entries()
            .filter((entry) => entry.path === path && shardKeys.includes(entry.key))
            .map((entry) => shardKeys.indexOf(entry.key))
        )
        expect([...askers], `${path}`).toEqual([shardOf(id, TOTAL)])
      }
    }
    // every shard lists the organizations (to learn their ids), once per inventory cycle
    for (const key of shardKeys) {
      const listings = simulator.requestLog
        .entries()
        .filter((entry) => entry.key === key && entry.path === '/api/v2/organizations/')
      expect(listings.length).toBeGreaterThanOrEqual(1)
    }
  })

  it("makes the union of the shards' cluster and node series equal one unsharded exporter's", async () => {
    const union = (await Promise.all(shards.map(text))).flatMap(clusterSeries)
    const reference = clusterSeries(await text(whole))
    expect(reference.length).toBeGreaterThan(0)
    // no series twice: the shards are disjoint
    expect(new Set(union).size).toBe(union.length)
    expect([...union].sort()).toEqual([...reference].sort())
  })

  it('says its ordinal and the total in metrics and on /status', async () => {
    for (const [ordinal, shard] of shards.entries()) {
      const body = await text(shard)
      expect(body).toContain(`cratedb_cloud_exporter_shard_ordinal ${ordinal}\n`)
      expect(body).toContain(`cratedb_cloud_exporter_total_shards ${TOTAL}\n`)
      const status = (await (
        await fetch(`${shard.url}/status`, { headers: { accept: 'application/json' } })
      ).json()) as { shard: { ordinal: number; total: number } }
      expect(status.shard).toEqual({ ordinal, total: TOTAL })
    }
  })
})
