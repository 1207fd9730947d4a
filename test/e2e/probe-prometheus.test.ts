import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalTool } from '../helpers/environment.js'
import { hasPolled, startTestExporter, waitFor, type TestExporter } from '../helpers/exporter.js'
import { startTestPrometheus, type RunningPrometheus } from '../helpers/prometheus.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'

const prometheusBinary = externalTool('prometheus')

const JOB = 'cratedb-cloud-clusters'
const TEXT_FORMAT = 'text/plain; version=0.0.4'

async function get(exporter: TestExporter, path: string): Promise<string> {
  const response = await fetch(`${exporter.url}${path}`, { headers: { accept: TEXT_FORMAT } })
  expect(response.status).toBe(200)
  return response.text()
}

/** `name{labels}` of every cluster or node sample of one cluster on /metrics (values aside). */
function seriesOnMetrics(text: string, clusterId: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('cratedb_cloud_') && line.includes(`cluster_id="${clusterId}"`))
    .map((line) => line.slice(0, line.lastIndexOf(' ')))
    .sort()
}

/** The same shape from Prometheus's answer, without the target's job and instance. */
function seriesInPrometheus(metric: Record<string, string>): string {
  const { __name__: name, job: _job, instance: _instance, ...labels } = metric
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, value]) => `${label}="${value}"`)
  return `${name ?? ''}{${pairs.join(',')}}`
}

function sortedLabels(series: string): string {
  const open = series.indexOf('{')
  const name = series.slice(0, open)
  const pairs = series.slice(open + 1, -1).match(/[a-z_]+="(?:[^"\\]|\\.)*"/g) ?? []
  return `${name}{${[...pairs].sort().join(',')}}`
}

/**
 * A real Prometheus discovers one target per cluster from /sd (http_sd_configs and nothing else) and
 * scrapes each at /probe; every cluster's series come out as on /metrics, labels and all.
 */
describe.skipIf(prometheusBinary === undefined)('per-cluster targets from /sd, scraped by Prometheus', () => {
  let simulator: RunningSimulator
  let exporter: TestExporter
  let prometheus: RunningPrometheus
  let clusterIds: string[]

  beforeAll(async () => {
    simulator = await startTestSimulator({ scenario: { kind: 'demo' } })
    const organizations = simulator.state.organizations().length
    clusterIds = simulator.state
      .clusters()
      .map((cluster) => cluster.id)
      .sort()
    exporter = await startTestExporter(simulator)
    await waitFor('the first polls', async () => hasPolled(await get(exporter, '/metrics'), organizations))
    prometheus = await startTestPrometheus({
      binary: prometheusBinary!,
      jobName: JOB,
      target: '',
      httpSdUrl: `${exporter.url}/sd`,
      scrapeIntervalSeconds: 1
    })
  })

  afterAll(async () => {
    await prometheus?.close()
    await exporter?.close()
    await simulator?.close()
  })

  it('makes one target per cluster, all up, each series with exactly its /metrics labels', async () => {
    await prometheus.eventually(
      `count(up{job="${JOB}"} == 1)`,
      (result) => Number(result[0]?.value?.[1]) === clusterIds.length,
      60_000
    )
    const targets = await prometheus.targets()
    expect(targets).toHaveLength(clusterIds.length)
    expect(targets.every((target) => target.health === 'up' && target.lastError === '')).toBe(true)
    const success = await prometheus.query(`cratedb_cloud_probe_success{job="${JOB}"}`)
    expect(success.map((sample) => sample.value?.[1])).toEqual(clusterIds.map(() => '1'))

    const metrics = await get(exporter, '/metrics')
    for (const clusterId of clusterIds) {
      const scraped = await prometheus.query(
        `{job="${JOB}", cluster_id="${clusterId}", __name__=~"cratedb_cloud_(cluster|node)_.+"}`
      )
      const names = scraped.flatMap((sample) => Object.keys(sample.metric))
      expect(names.filter((name) => name.startsWith('exported_'))).toEqual([])
      expect(scraped.map((sample) => seriesInPrometheus(sample.metric)).sort()).toEqual(
        seriesOnMetrics(metrics, clusterId).map(sortedLabels).sort()
      )
      expect(new Set(scraped.map((sample) => sample.metric['instance'])).size).toBe(1)
    }
  })

  it('asks the API nothing for /sd and /probe', async () => {
    let before = simulator.state.apiRequestCount()
    await waitFor('the API to be quiet', async () => {
      const now = simulator.state.apiRequestCount()
      const quiet = now === before
      before = now
      if (!quiet) await sleep(1000)
      return quiet
    })
    const started = Date.now()
    await get(exporter, '/sd')
    for (let round = 0; round < 5; round++)
      for (const clusterId of clusterIds) await get(exporter, `/probe?cluster_id=${clusterId}`)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(simulator.state.apiRequestCount()).toBe(before)
  })
})
