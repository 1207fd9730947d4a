import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/clock.js'
import { createDeadlineSignal } from '../../src/cloud/retry.js'
import { ConfigError, loadConfig } from '../../src/config/index.js'
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
    expect(running.exporter.view.status().api.errors['decode']).toBeGreaterThan(0)
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

  describe('configuration errors', () => {
    const problemsFor = (yaml: string): string => {
      try {
        loadConfig({ flags: new Map([['config.file', '/c.yaml']]), env: {}, readFile: () => yaml })
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError)
        return (error as ConfigError).message
      }
      throw new Error('expected a ConfigError')
    }

    it('a secret written as api.credentials is not echoed', () => {
      const message = problemsFor('api:\n  credentials: crate_key0123:s3cr3t-value\n')
      expect(message).toContain('api.credentials: must be a list')
      expect(message).not.toContain('s3cr3t-value')
    })

    it('a YAML syntax error does not quote the offending token', () => {
      const message = problemsFor('a:\n  b: *x[]\napi:\n  credentials:\n    key: s3cr3t-value\n')
      expect(message).toContain('not valid YAML (line')
      expect(message).not.toContain('s3cr3t-value')
    })

    it('an alias without its anchor is a ConfigError, not a crash', () => {
      expect(problemsFor('web:\n  listen_address: *nowhere\n')).toContain(
        '/c.yaml: not valid YAML: Unresolved alias'
      )
    })
  })
})
