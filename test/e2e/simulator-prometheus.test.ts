import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalTool } from '../helpers/environment.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'

const prometheus = externalTool('prometheus')

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

interface VectorResult {
  metric: Record<string, string>
  value: [number, string]
}

/** A real Prometheus scrapes the simulator exactly as CrateDB's monitoring tutorial configures it. */
describe.skipIf(prometheus === undefined)('Prometheus scrapes the simulated org metrics endpoint', () => {
  let sim: RunningSimulator
  let child: ChildProcess
  let dir: string
  let promUrl: string
  let orgId: string
  let logs = ''

  beforeAll(async () => {
    sim = await startTestSimulator({ credentials: [{ key: 'tutorial-key', secret: 'tutorial-secret' }] })
    orgId = sim.state.organizations()[0]!.id
    dir = mkdtempSync(join(tmpdir(), 'cce-sim-prom-'))
    const port = await freePort()
    promUrl = `http://127.0.0.1:${port}`
    const target = new URL(sim.url).host
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        "  - job_name: 'cratedb'",
        `    metrics_path: '/api/v2/organizations/${orgId}/metrics/prometheus/'`,
        '    scheme: http',
        '    basic_auth:',
        "      username: 'tutorial-key'",
        "      password: 'tutorial-secret'",
        '    static_configs:',
        `      - targets: ['${target}']`,
        ''
      ].join('\n')
    )
    child = spawn(
      prometheus!,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    child.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
  })

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(10_000)])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    await sim?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  async function query(expr: string): Promise<VectorResult[]> {
    const response = await request(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)
    const body = (await response.body.json()) as { status: string; data?: { result: VectorResult[] } }
    return body.status === 'success' ? (body.data?.result ?? []) : []
  }

  async function eventually(expr: string, ready: (r: VectorResult[]) => boolean): Promise<VectorResult[]> {
    const deadline = Date.now() + 40_000
    let last: VectorResult[] = []
    while (Date.now() < deadline) {
      try {
        last = await query(expr)
        if (ready(last)) return last
      } catch {
        // Prometheus is still starting.
      }
      await sleep(500)
    }
    throw new Error(
      `${expr}: not ready, last ${JSON.stringify(last).slice(0, 300)}; prometheus log: ${logs.slice(-1500)}`
    )
  }

  it('collects a CPU series for every node of every running cluster', async () => {
    const running = sim.state.clusters({ organizationId: orgId }).filter((c) => sim.state.isEmitting(c))
    const pods = running.flatMap((c) => c.nodes.map((n) => `crate-data-hot-${c.id}-${n.ordinal}`)).sort()
    const result = await eventually(
      'container_cpu_usage_seconds_total{job="cratedb",container="crate"}',
      (r) => r.length >= pods.length
    )
    expect(result.map((r) => r.metric['pod']).sort()).toEqual(pods)
    const truth = sim.state.lastOrgMetrics(orgId)!
    for (const r of result) {
      const [, clusterId, ordinal] = /^crate-data-hot-(.+)-(\d+)$/.exec(r.metric['pod']!)!
      const node = truth.clusters[clusterId!]!.nodes[Number(ordinal)]!
      expect(Number(r.value[1])).toBe(node.cpuSecondsTotal)
    }
  })

  it('has the health of every running cluster by cluster_id and cluster_name, and nothing of suspended ones', async () => {
    const clusters = sim.state.clusters({ organizationId: orgId })
    const running = clusters.filter((c) => sim.state.isEmitting(c))
    const health = await eventually('cloud_clusters_health{job="cratedb"}', (r) => r.length >= running.length)
    expect(health.map((r) => `${r.metric['cluster_id']}/${r.metric['cluster_name']}`).sort()).toEqual(
      running.map((c) => `${c.id}/${c.name}`).sort()
    )
    const suspended = clusters.filter((c) => !sim.state.isEmitting(c))
    expect(suspended.length).toBeGreaterThan(0)
    for (const c of suspended)
      expect(await query(`crate_ready{pod_name=~"crate-data-hot-${c.id}-.*"}`)).toEqual([])
  })

  it('sums shard sizes per node to the storage the simulator holds', async () => {
    const result = await eventually(
      'sum by (pod_name) (crate_node{job="cratedb",name="shard_info",property="size"})',
      (r) => r.length > 0
    )
    const truth = sim.state.lastOrgMetrics(orgId)!
    const quiet = sim.state.clusters({ organizationId: orgId }).find((c) => c.name === 'sandbox')!
    const node = truth.clusters[quiet.id]!.nodes[0]!
    const row = result.find((r) => r.metric['pod_name'] === node.pod)
    expect(row).toBeDefined()
    // Prometheus keeps one sample of a repeated series per scrape; the sum is at most the truth.
    expect(Number(row!.value[1])).toBeGreaterThan(0)
    expect(Number(row!.value[1])).toBeLessThanOrEqual(node.storageUsedBytes)
    const up = await eventually('up{job="cratedb"}', (r) => r.some((x) => x.metric['instance'] !== undefined))
    expect(up.find((x) => x.metric['pod_name'] === undefined)?.value[1]).toBe('1')
  })
})
