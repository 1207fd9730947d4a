import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalTool } from '../helpers/environment.js'
import { hasPolled, startTestExporter, waitFor, type TestExporter } from '../helpers/exporter.js'
import { promtoolCheckMetrics, startTestPrometheus, type RunningPrometheus } from '../helpers/prometheus.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'

const prometheusBinary = externalTool('prometheus')
const promtool = externalTool('promtool')

const JOB = 'cratedb-cloud-exporter'
const TEXT_FORMAT = 'text/plain; version=0.0.4'

async function scrapeText(exporter: TestExporter): Promise<string> {
  const response = await fetch(`${exporter.url}/metrics`, { headers: { accept: TEXT_FORMAT } })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return response.text()
}

/** Samples in a text exposition: every line that is neither a comment nor empty. */
function sampleCount(text: string): number {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length
}

/**
 * End to end: a real Prometheus scrapes the exporter running against the demo
 * scenario, promtool accepts its output, and a scrape never calls the CrateDB Cloud API.
 */
describe.skipIf(prometheusBinary === undefined || promtool === undefined)(
  'a real Prometheus scrapes the exporter',
  () => {
    let simulator: RunningSimulator
    let exporter: TestExporter
    let prometheus: RunningPrometheus
    let organizations: number

    beforeAll(async () => {
      simulator = await startTestSimulator({ scenario: { kind: 'demo' } })
      organizations = simulator.state.organizations().length
      // Default intervals (60 s): after the first polls the exporter stays quiet for the rest of the test.
      exporter = await startTestExporter(simulator)
      await waitFor('the first inventory and org-metrics polls', async () =>
        hasPolled(await scrapeText(exporter), organizations)
      )
      prometheus = await startTestPrometheus({
        binary: prometheusBinary!,
        jobName: JOB,
        target: new URL(exporter.url).host,
        scrapeIntervalSeconds: 1
      })
    })

    afterAll(async () => {
      await prometheus?.close()
      await exporter?.close()
      await simulator?.close()
    })

    it('ingests every sample of a scrape, with the clusters of the demo', async () => {
      await waitFor('two successful scrapes', async () => {
        const result = await prometheus.query(
          `count_over_time(up{job="${JOB}"}[1m]) >= 2 and up{job="${JOB}"} == 1`
        )
        return result.length === 1
      })
      const [target] = await prometheus.targets()
      expect(target?.health).toBe('up')
      expect(target?.lastError).toBe('')
      const scraped = await prometheus.query(`scrape_samples_scraped{job="${JOB}"}`)
      const exposed = sampleCount(await scrapeText(exporter))
      expect(Number(scraped[0]?.value?.[1])).toBe(exposed)
      const clusters = await prometheus.query(`cratedb_cloud_cluster_info{job="${JOB}"}`)
      expect(clusters.map((sample) => sample.metric['cluster_id']).sort()).toEqual(
        simulator.state
          .clusters()
          .map((c) => c.id)
          .sort()
      )
      // Data from the org metrics endpoint, per node, for every node of every running cluster.
      const running = simulator.state.clusters().filter((c) => simulator.state.isEmitting(c))
      const nodes = await prometheus.query(`cratedb_cloud_node_storage_used_bytes{job="${JOB}"}`)
      expect(nodes.length).toBe(running.reduce((sum, c) => sum + c.nodes.length, 0))
      expect(Number(nodes[0]?.value?.[1])).toBeGreaterThan(0)
    })

    it('passes promtool check metrics without a finding (text format, no process metrics)', async () => {
      const result = promtoolCheckMetrics(promtool!, await scrapeText(exporter))
      expect(result.problems).toEqual([])
      expect(result.status).toBe(0)
    })

    it('makes no API call for a scrape, even for a second one in the same second', async () => {
      // Quiet: no request reaches the simulator for a second (the first polls are over).
      let before = simulator.state.apiRequestCount()
      await waitFor('the API to be quiet', async () => {
        const now = simulator.state.apiRequestCount()
        const quiet = now === before
        before = now
        if (!quiet) await sleep(1000)
        return quiet
      })
      expect(before).toBeGreaterThan(0)
      const started = Date.now()
      const first = await scrapeText(exporter)
      const second = await scrapeText(exporter)
      expect(Date.now() - started).toBeLessThan(1000)
      expect(simulator.state.apiRequestCount()).toBe(before)
      expect(sampleCount(second)).toBe(sampleCount(first))
      expect(second).toContain('cratedb_cloud_cluster_info{')
    })

    it('passes promtool check metrics without a finding with the process metrics on, as it runs by default', async () => {
      const withProcess = await startTestExporter(simulator, { defaultMetrics: true })
      try {
        const text = await scrapeText(withProcess)
        expect(text).toContain('process_cpu_user_seconds_total')
        expect(text).toContain('nodejs_heap_size_total_bytes')
        expect(text).toContain('nodejs_active_handles{')
        const result = promtoolCheckMetrics(promtool!, text)
        expect(result.problems, result.output).toEqual([])
        expect(result.status).toBe(0)
      } finally {
        await withProcess.close()
      }
    })
  }
)
