import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import type { OrgMetricsRequest } from '../../src/simulator/index.js'
import { REPO_ROOT, externalTool } from '../helpers/environment.js'
import { freePort } from '../helpers/free-port.js'
import { startTestPrometheus, type RunningPrometheus } from '../helpers/prometheus.js'
import { CLI, spawnExporter, type ExporterProcess } from '../reliability/child.js'

const prometheusBinary = externalTool('prometheus')
const RULES = resolve(REPO_ROOT, 'prometheus/rules/cratedb-cloud-alerts.yml')
const JOB = 'cratedb-cloud-exporter'
const KEY = 'crate_e2e_budget_key'
const SECRET = 'e2e-budget-secret'
const ADMIN = 'e2e-budget-admin'
/** Long enough for four windows after the first poll. */
const RUN_MS = 250_000

interface SimulatorProcess {
  readonly url: string
  readonly child: ChildProcess
  requests(): Promise<OrgMetricsRequest[]>
  stop(): Promise<void>
}

/** `node dist/cli.js simulate` in its own process, real time, one limiter mode. */
async function spawnSimulator(mode: 'cache' | '429'): Promise<SimulatorProcess> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(
    process.execPath,
    [
      CLI,
      'simulate',
      `--listen-address=127.0.0.1:${port}`,
      `--rate-limit=${mode}`,
      `--api-key=${KEY}`,
      `--api-secret=${SECRET}`,
      `--admin-token=${ADMIN}`,
      '--log.level=warn'
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const deadline = Date.now() + 20_000
  while (!output.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the simulator did not start: ${output.slice(-2000)}`)
    }
    await sleep(50)
  }
  return {
    url,
    child,
    async requests() {
      const response = await fetch(`${url}/_simulator/org-metrics/requests`, {
        headers: { authorization: `Bearer ${ADMIN}` }
      })
      return ((await response.json()) as { requests: OrgMetricsRequest[] }).requests
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(10_000)])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }
}

interface Pair {
  readonly mode: 'cache' | '429'
  readonly simulator: SimulatorProcess
  readonly exporter: ExporterProcess
}

async function startPair(mode: 'cache' | '429'): Promise<Pair> {
  const simulator = await spawnSimulator(mode)
  const exporter = await spawnExporter([`--api.url=${simulator.url}`, '--log.level=warn'], {
    CRATEDB_CLOUD_API_KEY: KEY,
    CRATEDB_CLOUD_API_SECRET: SECRET
  })
  return { mode, simulator, exporter }
}

/** organization id -> newest sample timestamp shown on /metrics (ms). */
async function newestSamples(exporter: ExporterProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${exporter.url}/metrics`)).text()
  const out = new Map<string, number>()
  const pattern =
    /^cratedb_cloud_org_metrics_newest_sample_timestamp_seconds\{organization_id="([^"]+)"\} (\S+)$/gm
  for (const match of text.matchAll(pattern)) out.set(match[1]!, Number(match[2]) * 1000)
  return out
}

/**
 * Real time, real processes: the exporter against the simulator in each limiter mode, side by side, for
 * over four minutes. The schedule must keep every org-metrics request outside the window and the data
 * young, and the shipped throttling alert must stay quiet in a real Prometheus.
 */
describe.skipIf(prometheusBinary === undefined)('the org-metrics budget in real time', () => {
  const pairs: Pair[] = []
  let prometheus: RunningPrometheus | undefined

  afterAll(async () => {
    await prometheus?.close()
    for (const pair of pairs) {
      await pair.exporter.stop()
      await pair.simulator.stop()
    }
  })

  it('no request inside the window in either mode, young data, and no throttling alert', async () => {
    pairs.push(...(await Promise.all([startPair('429'), startPair('cache')])))
    const throttling = pairs[0]!
    prometheus = await startTestPrometheus({
      binary: prometheusBinary!,
      jobName: JOB,
      target: new URL(throttling.exporter.url).host,
      scrapeIntervalSeconds: 5,
      evaluationIntervalSeconds: 5,
      ruleFiles: [RULES]
    })
    const started = Date.now()
    const lag = new Map<string, number>()
    const ages = new Map<string, number[]>()
    const excess: string[] = []
    while (Date.now() - started < RUN_MS) {
      for (const pair of pairs) {
        const shown = await newestSamples(pair.exporter)
        for (const [organization, newest] of shown) {
          const id = `${pair.mode} ${organization}`
          if (!lag.has(id)) {
            const first = (await pair.simulator.requests()).find(
              (entry) => entry.organizationId === organization && entry.outcome === 'fresh'
            )
            lag.set(id, first!.atMs - newest)
          }
          const age = Date.now() - newest
          ages.set(id, [...(ages.get(id) ?? []), age])
          if (age > lag.get(id)! + 65_000) excess.push(`${id}: ${age} ms old, lag ${lag.get(id)} ms`)
        }
      }
      await sleep(1000)
    }

    expect(excess).toEqual([])
    for (const pair of pairs) {
      const log = await pair.simulator.requests()
      const organizations = new Set(log.map((entry) => entry.organizationId))
      expect(organizations.size, pair.mode).toBeGreaterThan(1)
      for (const organization of organizations) {
        const mine = log.filter((entry) => entry.organizationId === organization)
        // Four windows at least, each answered fresh: not one throttled or re-served request.
        expect(mine.length, `${pair.mode} ${organization}`).toBeGreaterThanOrEqual(4)
        expect(
          mine.filter((entry) => entry.outcome !== 'fresh').map((entry) => entry.outcome),
          `${pair.mode} ${organization}`
        ).toEqual([])
        expect(ages.get(`${pair.mode} ${organization}`)!.length).toBeGreaterThan(RUN_MS / 1000 / 2)
      }
    }
    // The shipped alert's expression sees no throttled request, so CrateDBCloudApiThrottled is
    // neither pending nor firing.
    await prometheus.eventually('up{job="cratedb-cloud-exporter"}', (result) => result.length === 1)
    const throttled = await prometheus.query(
      'sum(increase(cratedb_cloud_api_errors_total{reason="throttled"}[10m]))'
    )
    expect(Number(throttled[0]?.value?.[1] ?? '0')).toBe(0)
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules?type=alert`)).json()) as {
      data: { groups: { rules: { name: string; state: string; health: string }[] }[] }
    }
    const rule = rules.data.groups
      .flatMap((group) => group.rules)
      .find((candidate) => candidate.name === 'CrateDBCloudApiThrottled')
    expect(rule).toMatchObject({ state: 'inactive', health: 'ok' })
    const alerts = await prometheus.alerts()
    expect(alerts.filter((alert) => alert.labels['alertname'] === 'CrateDBCloudApiThrottled')).toEqual([])
  }, 360_000)
})
