import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { createDeadlineSignal } from '../../src/cloud/retry.js'
import { parseFaultRule } from '../../src/simulator/index.js'
import { startTestExporter, waitFor, type TestExporter } from '../helpers/exporter.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'
import { CLUSTERS_ROUTE, scrapeExposition, sleep } from './support.js'

/** One test per bug the reliability tests found, named after what broke. */
describe('reliability regressions', () => {
  let sim: RunningSimulator | undefined
  let exporter: TestExporter | undefined
  afterEach(async () => {
    await exporter?.close()
    await sim?.close()
    exporter = undefined
    sim = undefined
  })

  it('a 204 on a JSON endpoint is counted in cratedb_cloud_api_errors_total{reason="decode"}', async () => {
    sim = await startTestSimulator({
      scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 1, clusters: 1 },
      faults: [parseFaultRule(`${CLUSTERS_ROUTE}=*204`)]
    })
    exporter = await startTestExporter(sim, {
      flags: { 'collector.inventory.interval': '1s', 'collector.org_metrics': false }
    })
    const running = exporter
    await waitFor('the inventory to fail', async () => {
      const s = await scrapeExposition(running.url)
      return s.value('cratedb_cloud_collector_success', { collector: 'inventory' }) === 0
    })
    const s = await scrapeExposition(running.url)
    expect(s.value('cratedb_cloud_api_errors_total', { endpoint: CLUSTERS_ROUTE, reason: 'decode' })).toBe(
      s.value('cratedb_cloud_collector_failures_total', { collector: 'inventory' })
    )
    expect(running.exporter.view.status().api.errors.decode).toBeGreaterThan(0)
  })

  it('a collector run deadline still fires after a garbage collection', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const parent = new AbortController()
    const signal = createDeadlineSignal(200, systemClock, parent.signal)
    gc()
    await sleep(100)
    gc()
    await sleep(400)
    expect(signal.aborted).toBe(true)
    expect((signal.reason as Error).name).toBe('TimeoutError')
  })
})
