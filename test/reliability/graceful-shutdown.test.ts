import { describe, expect, it } from 'vitest'
import { parseFaultRule } from '../../src/simulator/index.js'
import { waitFor } from '../helpers/exporter.js'
import { firstCredential, startTestSimulator } from '../helpers/simulator.js'
import { spawnExporter } from './child.js'
import { countCalls, sleep } from './support.js'

/**
 * SIGTERM while API polls hang on a slow API and scrapes arrive concurrently: the built exporter aborts
 * the polls, closes the server and exits 0 within a few seconds, without an error on stderr.
 */
describe('graceful shutdown under load', () => {
  it('exits 0 quickly on SIGTERM with polls in flight and concurrent scrapes', async () => {
    const sim = await startTestSimulator({
      scenario: { kind: 'generated', organizations: 2, projectsPerOrganization: 1, clusters: 3 },
      faults: [parseFaultRule('~^/api/=*latency:5000')]
    })
    const calls = countCalls(sim)
    const { key, secret } = firstCredential(sim)
    const exporter = await spawnExporter(
      [`--api.url=${sim.url}`, '--collector.inventory.interval=10s', '--log.level=debug'],
      {
        CRATEDB_CLOUD_API_KEY: key,
        CRATEDB_CLOUD_API_SECRET: secret,
        CRATEDB_CLOUD_EXPORTER_LOG_FORMAT: 'json'
      }
    )
    let stopping = false
    let signalled = false
    const served = { ok: 0, failedBeforeStop: 0 }
    const scraper = async (path: string): Promise<void> => {
      while (!stopping) {
        try {
          const response = await fetch(`${exporter.url}${path}`)
          await response.text()
          if (response.status === 200 || response.status === 503) served.ok++
        } catch {
          // After SIGTERM the server closes: refused connections are expected then.
          if (!signalled) served.failedBeforeStop++
        }
      }
    }
    try {
      await waitFor('a poll in flight', () => calls.total() > 0)
      const scrapers = ['/metrics', '/metrics', '/metrics', '/status', '/', '/readyz'].map(scraper)
      await sleep(1000)
      signalled = true
      const result = await exporter.stop('SIGTERM')
      stopping = true
      await Promise.all(scrapers)

      console.log(`shutdown: exit ${result.code} ${result.ms} ms after SIGTERM; ${served.ok} scrapes served`)
      expect(result.code).toBe(0)
      expect(result.ms).toBeLessThan(3000)
      expect(served.ok).toBeGreaterThan(20)
      expect(served.failedBeforeStop).toBe(0)
      const stderr = exporter.stderr()
      const lines = stderr.split('\n').filter((line) => line !== '')
      expect(
        lines.every((line) => line.startsWith('{')),
        stderr.slice(-1000)
      ).toBe(true)
      const levels = lines.map((line) => (JSON.parse(line) as { level: number }).level)
      expect(levels.filter((level) => level >= 50)).toEqual([])
      expect(stderr).not.toMatch(/unhandled|uncaught|ERR_|TypeError|ReferenceError/i)
      expect(stderr).toContain('shutting down')
      expect(stderr).toContain('"msg":"stopped"')
    } finally {
      stopping = true
      if (exporter.child.exitCode === null) exporter.child.kill('SIGKILL')
      await sim.close()
    }
  })
})
