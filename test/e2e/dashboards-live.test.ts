import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { concreteExpression, listExpressions, type DashboardExpression } from '../../grafana/src/index.js'
import { externalTool, REPO_ROOT } from '../helpers/environment.js'
import { startTestExporter, type TestExporter } from '../helpers/exporter.js'
import { startTestPrometheus, type PromSample, type RunningPrometheus } from '../helpers/prometheus.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'

const prometheusBinary = externalTool('prometheus')

/** The job name the alert rules assume (CrateDBCloudExporterDown). */
const JOB = 'cratedb-cloud-exporter'
/** The demo cluster whose storage is 85 % full and fills up within 16 hours. */
const NEAR_FULL = 'telemetry-archive'
/** The demo cluster with a running operation: the one cluster every panel of the cluster dashboard has data for. */
const CLUSTER = 'search-api'

const RULE_FILES = readdirSync(join(REPO_ROOT, 'prometheus/rules'))
  .filter((name) => name.endsWith('.yml'))
  .map((name) => join(REPO_ROOT, 'prometheus/rules', name))

function nowS(): number {
  return Date.now() / 1000
}

/**
 * The demo scenario, the real exporter and a real Prometheus with the repository's alert rules: every
 * PromQL expression of the committed dashboards returns data, and the storage alerts pick the right cluster.
 */
describe.skipIf(prometheusBinary === undefined)('dashboards and alerts against live data', () => {
  let simulator: RunningSimulator
  let exporter: TestExporter
  let prometheus: RunningPrometheus
  let startedS: number

  beforeAll(async () => {
    simulator = await startTestSimulator({ scenario: { kind: 'demo' } })
    // One fresh org-metrics body per poll instead of one per minute, so rates and growth show at once.
    simulator.state.settings.rateLimitWindowMs = 1000
    exporter = await startTestExporter(simulator, {
      flags: { 'collector.org_metrics.interval': '2s', 'collector.inventory.interval': '2s' }
    })
    prometheus = await startTestPrometheus({
      binary: prometheusBinary!,
      jobName: JOB,
      target: new URL(exporter.url).host,
      scrapeIntervalSeconds: 1,
      evaluationIntervalSeconds: 1,
      ruleFiles: RULE_FILES
    })
    startedS = nowS()
    // A few scrapes with cluster data, and storage that has visibly grown between two of them.
    await eventually('storage growth of the near-full cluster and five scrapes', async () => {
      const grown = await prometheus.query(
        `changes(cratedb_cloud_cluster_storage_used_bytes{cluster_name="${NEAR_FULL}"}[1m]) >= 2`
      )
      const scrapes = await prometheus.query(`count_over_time(up{job="${JOB}"}[1m]) >= 5`)
      return grown.length === 1 && scrapes.length === 1
    })
  })

  afterAll(async () => {
    await prometheus?.close()
    await exporter?.close()
    await simulator?.close()
  })

  async function eventually(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs
    while (!(await condition())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; prometheus log: ${prometheus.logs().slice(-1500)}`)
      await sleep(500)
    }
  }

  /** label_values(selector, label) as Grafana computes it. */
  async function labelValues(selector: string, label: string): Promise<string[]> {
    const result = await prometheus.query(selector)
    return [...new Set(result.map((sample) => sample.metric[label] ?? ''))].filter((v) => v !== '').sort()
  }

  /** Variable values a user would pick, read from the running system the way the dashboards' variables do. */
  async function liveVariables(): Promise<Record<string, string>> {
    const cluster = simulator.state.clusters().find((c) => c.name === CLUSTER)!
    const organization = simulator.state.organization(cluster.organizationId)!
    const organizations = await labelValues('cratedb_cloud_cluster_info', 'organization_name')
    expect(organizations).toEqual(
      simulator.state
        .organizations()
        .map((o) => o.name)
        .sort()
    )
    const clusters = await labelValues(
      `cratedb_cloud_cluster_info{organization_name=~"${organization.name}"}`,
      'cluster_name'
    )
    expect(clusters).toContain(CLUSTER)
    const ids = await labelValues(
      `cratedb_cloud_cluster_info{organization_name=~"${organization.name}", cluster_name="${CLUSTER}"}`,
      'cluster_id'
    )
    expect(ids).toEqual([cluster.id])
    const nodes = await labelValues(`cratedb_cloud_node_ready{cluster_id="${cluster.id}"}`, 'node')
    expect(nodes).toHaveLength(cluster.nodes.length)
    const instances = await labelValues(`cratedb_cloud_exporter_build_info{job="${JOB}"}`, 'instance')
    expect(instances).toEqual([new URL(exporter.url).host])
    return {
      organization: organization.name,
      cluster: CLUSTER,
      cluster_id: cluster.id,
      node: nodes[0]!,
      job: JOB,
      instance: instances[0]!,
      // Grafana: max($__interval + scrape interval, 4 × scrape interval) with a 1 s scrape interval.
      __interval: '1s',
      __rate_interval: '4s',
      __range: `${Math.ceil(nowS() - startedS) + 5}s`
    }
  }

  async function run(expression: DashboardExpression, values: Record<string, string>): Promise<PromSample[]> {
    const promql = concreteExpression(expression.expr, values)
    if (expression.instant) return prometheus.query(promql)
    const end = nowS()
    return prometheus.queryRange(promql, Math.max(startedS, end - 60), end, 1)
  }

  it('returns data for every panel target and variable of every committed dashboard', async () => {
    const values = await liveVariables()
    const expressions = listExpressions()
    expect(expressions.length).toBeGreaterThan(50)
    let failing: string[] = []
    // A panel whose data needs one more poll gets a few seconds; an expression that never has data fails.
    const deadline = Date.now() + 15_000
    let pending = expressions
    for (;;) {
      failing = []
      const next: DashboardExpression[] = []
      for (const expression of pending) {
        let problem: string | null = null
        try {
          const result = await run(expression, values)
          if (result.length === 0) problem = 'no data'
        } catch (error) {
          problem = (error as Error).message
        }
        if (problem === null) continue
        next.push(expression)
        failing.push(
          `${expression.dashboard} / ${expression.panel} / ${expression.refId} ` +
            `(${expression.instant ? 'instant' : 'range'}): ${problem}\n    ${concreteExpression(expression.expr, values)}`
        )
      }
      pending = next
      if (pending.length === 0 || Date.now() > deadline) break
      await sleep(1000)
    }
    expect(failing, `expressions without data:\n${failing.join('\n')}`).toEqual([])
  })

  it('has a storage alert pending or firing for the near-full cluster, and none for a cluster with room', async () => {
    const nearFull = simulator.state.clusters().find((c) => c.name === NEAR_FULL)!
    const storageAlerts = async () =>
      (await prometheus.alerts()).filter(
        (alert) =>
          alert.labels['alertname']?.startsWith('CrateDBCloudStorage') === true && alert.state !== 'inactive'
      )
    // The forecasts fit a line through what Prometheus holds; a few seconds of polls in steps of 2 s make a
    // rough slope, so judge them once enough samples are in and the alert has held for several evaluations.
    await eventually('15 s of storage samples', async () => {
      const selector = `cratedb_cloud_cluster_storage_used_bytes{cluster_name="${NEAR_FULL}"}`
      return (await prometheus.query(`count_over_time(${selector}[1m]) >= 15`)).length === 1
    })
    const forecast = async () =>
      (await storageAlerts()).find(
        (alert) =>
          alert.labels['cluster_id'] === nearFull.id &&
          alert.labels['alertname'] === 'CrateDBCloudStorageFillingUp' &&
          alert.labels['severity'] === 'critical'
      )
    // At the growth the demo sets, the whole cluster is full in about 12 hours: the 24-hour forecast holds.
    await eventually(
      'the 24-hour storage forecast alert for the near-full cluster, active for 5 s',
      async () => {
        const alert = await forecast()
        return alert !== undefined && Date.parse(alert.activeAt) <= Date.now() - 5000
      },
      25_000
    )
    const active = await storageAlerts()
    const forNearFull = active.filter((alert) => alert.labels['cluster_id'] === nearFull.id)
    // About 85 % used as a whole: the 80 % warning, besides the forecasts.
    expect(forNearFull.map((alert) => `${alert.labels['alertname']}/${alert.labels['severity']}`)).toEqual(
      expect.arrayContaining([
        'CrateDBCloudStorageAlmostFull/warning',
        'CrateDBCloudStorageFillingUp/critical'
      ])
    )
    for (const alert of forNearFull) expect(['pending', 'firing']).toContain(alert.state)
    const others = active.filter((alert) => alert.labels['cluster_id'] !== nearFull.id)
    expect(
      others.map(
        (alert) => `${alert.labels['alertname']} ${alert.labels['severity']} ${alert.labels['cluster_name']}`
      )
    ).toEqual([])
    // The other clusters really have room, so the absence of their alerts means something.
    const utilization = await prometheus.query(
      `cratedb_cloud_cluster_storage_utilization_ratio{cluster_id!="${nearFull.id}"}`
    )
    expect(utilization.length).toBeGreaterThanOrEqual(5)
    for (const sample of utilization) expect(Number(sample.value?.[1])).toBeLessThan(0.8)
  }, 60_000)

  it('has the node storage alert pending or firing for the fullest node of the near-full cluster only', async () => {
    const nearFull = simulator.state.clusters().find((c) => c.name === NEAR_FULL)!
    const ratios = async () =>
      new Map(
        (
          await prometheus.query(
            'cratedb_cloud_node_storage_used_bytes / (cratedb_cloud_node_storage_capacity_bytes > 0)'
          )
        ).map((s) => [`${s.metric['cluster_name']}/${s.metric['node']}`, Number(s.value?.[1])] as const)
      )
    const nodeAlerts = async () =>
      (await prometheus.alerts())
        .filter((a) => a.labels['alertname'] === 'CrateDBCloudNodeStorageHigh' && a.state !== 'inactive')
        .map((a) => `${a.labels['cluster_name']}/${a.labels['node']} ${a.labels['severity']}`)
        .sort()
    // The fullest node of the near-full cluster is past the high watermark while the cluster is at about 85 %.
    const before = await ratios()
    const nearFullNodes = [...before].filter(([key]) => key.startsWith(`${NEAR_FULL}/`))
    expect(nearFullNodes).toHaveLength(nearFull.nodes.length)
    const [fullest, fullestRatio] = nearFullNodes.sort((a, b) => b[1] - a[1])[0]!
    expect(fullestRatio).toBeGreaterThan(0.9)
    expect(fullestRatio).toBeLessThan(0.95)
    await eventually('both node storage alerts for the fullest node', async () =>
      (await nodeAlerts()).includes(`${fullest} critical`)
    )
    const active = await nodeAlerts()
    // Every node past a threshold in Prometheus has that alert, and no other node has one. The demo puts
    // every node of the other clusters below 85 %, so the near-full cluster's nodes are the only candidates.
    const now = await ratios()
    const expected = [...now]
      .flatMap(([key, ratio]) => [
        ...(ratio > 0.85 ? [`${key} warning`] : []),
        ...(ratio > 0.9 ? [`${key} critical`] : [])
      ])
      .sort()
    expect(active).toEqual(expected)
    expect(active).toEqual(expect.arrayContaining([`${fullest} warning`, `${fullest} critical`]))
    const others = [...now].filter(([key]) => !key.startsWith(`${NEAR_FULL}/`))
    expect(others.length).toBeGreaterThanOrEqual(10)
    for (const [key, ratio] of others) expect(ratio, key).toBeLessThan(0.85)
  }, 60_000)
})
