import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { externalTool } from '../helpers/environment.js'
import { startTestExporter, waitFor, type TestExporter } from '../helpers/exporter.js'
import { startTestPrometheus, type RunningPrometheus } from '../helpers/prometheus.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'
import { alertRule } from '../unit/prometheus/contract.js'
import { scrapeExposition, sleep, type Scraped } from './support.js'

/**
 * API keys in rotation: a deactivated key fails over to the next one without a failed collection, a
 * rotated secret file is used without a restart, and with every key refused the exporter says so on
 * /readyz, /status and through the authentication alert of prometheus/rules.
 */

const SCENARIO = { kind: 'generated', organizations: 1, projectsPerOrganization: 1, clusters: 2 } as const
const FAST = { 'collector.org_metrics.interval': '1s', 'collector.inventory.interval': '1s' }
const PRIMARY = { key: 'crate_primary_3f9a1c7e', secret: 'primary-secret-6b2d90aa41' }
const STANDBY = { key: 'crate_standby_8e4b2d10', secret: 'standby-secret-c7a15f3e92' }

let dir = ''
let sim: RunningSimulator | undefined
let exporter: TestExporter | undefined
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cce-rollover-'))
})
afterEach(async () => {
  await exporter?.close()
  await sim?.close()
  exporter = undefined
  sim = undefined
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.new`, content)
  renameSync(`${path}.new`, path)
}

function configFile(name: string, yaml: string): string {
  const path = join(dir, name)
  writeFileSync(path, yaml)
  return path
}

const twoKeys = (): string =>
  configFile(
    'two-keys.yml',
    [
      'api:',
      '  credentials:',
      `    - { name: primary, key: ${PRIMARY.key}, secret_file: ${join(dir, 'primary.secret')} }`,
      `    - { name: standby, key: ${STANDBY.key}, secret_file: ${join(dir, 'standby.secret')} }`,
      ''
    ].join('\n')
  )

function failures(s: Scraped): number {
  return s
    .series('cratedb_cloud_collector_failures_total')
    .reduce((sum, labels) => sum + (s.value('cratedb_cloud_collector_failures_total', labels) ?? 0), 0)
}

async function started(config: string): Promise<TestExporter> {
  const running = await startTestExporter(sim!, { flags: { ...FAST, 'config.file': config }, env: {} })
  exporter = running
  await waitFor('first data', async () => {
    const s = await scrapeExposition(running.url)
    return running.exporter.view.ready() && s.series('cratedb_cloud_node_cpu_seconds_total').length > 0
  })
  return running
}

describe('API key rollover', () => {
  it('fails over to the second key without a gap when the first is deactivated', async () => {
    sim = await startTestSimulator({ scenario: SCENARIO, credentials: [PRIMARY, STANDBY] })
    writeFileSync(join(dir, 'primary.secret'), `${PRIMARY.secret}\n`)
    writeFileSync(join(dir, 'standby.secret'), `${STANDBY.secret}\n`)
    const running = await started(twoKeys())
    const before = await scrapeExposition(running.url)
    expect(before.value('cratedb_cloud_api_credential_active', { credential: 'primary' })).toBe(1)
    expect(before.value('cratedb_cloud_api_credential_active', { credential: 'standby' })).toBe(0)
    const failovers = before.value('cratedb_cloud_api_credential_failovers_total') ?? 0
    const failed = failures(before)
    const nodes = before.series('cratedb_cloud_node_cpu_seconds_total').length

    sim.state.deactivateCredential(PRIMARY.key)
    const deadline = Date.now() + 4000
    let switched = false
    // Every scrape through the switch has all the data and no failed collection.
    while (Date.now() < deadline) {
      const s = await scrapeExposition(running.url)
      expect(s.series('cratedb_cloud_node_cpu_seconds_total').length).toBe(nodes)
      expect(s.series('cratedb_cloud_cluster_info').length).toBe(SCENARIO.clusters)
      expect(failures(s)).toBe(failed)
      switched ||= s.value('cratedb_cloud_api_credential_active', { credential: 'standby' }) === 1
      await sleep(100)
    }
    expect(switched).toBe(true)
    const after = await scrapeExposition(running.url)
    expect(after.value('cratedb_cloud_api_credential_active', { credential: 'primary' })).toBe(0)
    expect(after.value('cratedb_cloud_api_credential_failovers_total')).toBe(failovers + 1)
    expect(
      after.value('cratedb_cloud_api_credential_failures_total', { credential: 'primary' })
    ).toBeGreaterThanOrEqual(1)
    expect(running.exporter.view.ready()).toBe(true)
    const status = running.exporter.view.status()
    expect(status.api.credentials.map((c) => [c.name, c.active, c.lastOutcome])).toEqual([
      ['primary', false, 'auth_failed'],
      ['standby', true, 'ok']
    ])
  })

  /** An exporter reading one key from files that hold the primary key; the standby's last use. */
  async function startWithMountedKey(name: string) {
    sim = await startTestSimulator({ scenario: SCENARIO, credentials: [PRIMARY, STANDBY] })
    const keyFile = join(dir, `${name}.key`)
    const secretFile = join(dir, `${name}.secret`)
    writeFileSync(keyFile, PRIMARY.key)
    writeFileSync(secretFile, PRIMARY.secret)
    const config = configFile(
      `${name}.yml`,
      `api:\n  credentials:\n    - { name: mounted, key_file: ${keyFile}, secret_file: ${secretFile} }\n`
    )
    const running = await started(config)
    const failed = failures(await scrapeExposition(running.url))
    const rotateToStandby = (): void => {
      writeAtomically(keyFile, `${STANDBY.key}\n`)
      writeAtomically(secretFile, `${STANDBY.secret}\n`)
    }
    const standbyUsedMs = (): number =>
      sim!.state.credentials().find((c) => c.key === STANDBY.key)!.lastUsedMs
    return { running, failed, rotateToStandby, standbyUsedMs }
  }

  it('uses a replaced secret file without a restart', async () => {
    const { running, failed, rotateToStandby, standbyUsedMs } = await startWithMountedKey('rotating')
    const swapped = sim!.state.clock.now()
    rotateToStandby()
    // Secret files are read again at most every 5 s.
    await waitFor('the new key in use', () => standbyUsedMs() > swapped, 9000)
    sim!.state.deactivateCredential(PRIMARY.key)
    const since = sim!.state.clock.now()
    await waitFor('two more collections', () => standbyUsedMs() > since + 1500, 5000)
    const s = await scrapeExposition(running.url)
    expect(failures(s)).toBe(failed)
    expect(s.value('cratedb_cloud_api_credential_failures_total', { credential: 'mounted' })).toBe(0)
    expect(s.value('cratedb_cloud_collector_success', { collector: 'org_metrics' })).toBe(1)
  })

  it('a single key rotated in its files and revoked at once: no failed collection', async () => {
    const { running, failed, rotateToStandby, standbyUsedMs } = await startWithMountedKey('revoked-at-once')
    // The old key is revoked before the exporter's 5-second refresh of the files comes round.
    const swapped = sim!.state.clock.now()
    rotateToStandby()
    sim!.state.deactivateCredential(PRIMARY.key)
    await waitFor('the new key in use', () => standbyUsedMs() > swapped, 5000)
    const since = sim!.state.clock.now()
    await waitFor('two more collections', () => standbyUsedMs() > since + 1500, 5000)
    const s = await scrapeExposition(running.url)
    expect(failures(s)).toBe(failed)
    // The one refusal shows, the collections do not fail.
    expect(s.value('cratedb_cloud_api_credential_failures_total', { credential: 'mounted' })).toBe(1)
    expect(s.value('cratedb_cloud_collector_success', { collector: 'org_metrics' })).toBe(1)
    expect(s.value('cratedb_cloud_api_credential_active', { credential: 'mounted' })).toBe(1)
  })

  describe('with every key refused', () => {
    let prometheus: RunningPrometheus | undefined
    afterEach(async () => {
      await prometheus?.close()
      prometheus = undefined
    })

    it('is not ready, says why on /status, and the authentication alert expression holds', async () => {
      sim = await startTestSimulator({ scenario: SCENARIO, credentials: [PRIMARY, STANDBY] })
      writeFileSync(join(dir, 'primary.secret'), PRIMARY.secret)
      writeFileSync(join(dir, 'standby.secret'), STANDBY.secret)
      const running = await started(twoKeys())
      const expr = alertRule('CrateDBCloudApiAuthenticationFailing', 'critical').expr
      const binary = externalTool('prometheus')
      // The alert rules assume the job name "cratedb-cloud-exporter".
      prometheus =
        binary === undefined
          ? undefined
          : await startTestPrometheus({
              binary,
              jobName: 'cratedb-cloud-exporter',
              target: new URL(running.url).host
            })
      if (prometheus !== undefined) {
        await prometheus.eventually('count_over_time(cratedb_cloud_api_credential_active[1m])', (r) =>
          r.some((s) => Number(s.value?.[1]) >= 2)
        )
        expect(await prometheus.query(expr)).toEqual([])
      }

      sim.state.deactivateCredential(PRIMARY.key)
      sim.state.deactivateCredential(STANDBY.key)
      await waitFor('not ready', () => !running.exporter.view.ready())
      const readyz = await fetch(`${running.url}/readyz`)
      expect(readyz.status).toBe(503)
      expect(await readyz.text()).toContain('rejects every configured API key')
      const status = (await (await fetch(`${running.url}/status`)).json()) as {
        ready: boolean
        problem: string
        api: { credentials: { name: string; lastOutcome: string }[] }
      }
      expect(status.ready).toBe(false)
      expect(status.problem).toMatch(/rejects every configured API key/)
      expect(status.api.credentials.map((c) => c.lastOutcome)).toEqual(['auth_failed', 'auth_failed'])

      if (prometheus !== undefined) {
        const firing = await prometheus.eventually(expr, (result) => result.length > 0)
        expect(firing).toHaveLength(1)
        expect(Number(firing[0]!.value?.[1])).toBeGreaterThan(0)
        expect(firing[0]!.metric['job']).toBe('cratedb-cloud-exporter')
      }
    })
  })
})
