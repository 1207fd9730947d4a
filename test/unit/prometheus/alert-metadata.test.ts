import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  RUNBOOKS_FILE,
  contractMetrics,
  metricsInFunctions,
  readAlertRules,
  selectedMetrics
} from './contract.js'

const RUNBOOK_BASE = 'https://github.com/example-org/cratedb-cloud-exporter/blob/main/docs/runbooks.md#'

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const result = new Set<string>()
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const heading = match[1] ?? ''
    result.add(
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-')
    )
  }
  return result
}

const rules = readAlertRules()
const runbookAnchors = anchors(readFileSync(RUNBOOKS_FILE, 'utf8'))
const ruleCases = rules.map((r) => [`${r.alert} (${r.labels?.['severity'] ?? 'no severity'})`, r] as const)

describe('alert rules', () => {
  it('exist for every alert the dashboards and docs name', () => {
    expect(new Set(rules.map((r) => r.alert))).toEqual(
      new Set([
        'CrateDBCloudStorageAlmostFull',
        'CrateDBCloudStorageFillingUp',
        'CrateDBCloudNodeStorageHigh',
        'CrateDBCloudNodeFloodStageForecast',
        'CrateDBCloudCpuHigh',
        'CrateDBCloudClusterHealthYellow',
        'CrateDBCloudClusterHealthRed',
        'CrateDBCloudClusterUnreachable',
        'CrateDBCloudNoClustersDiscovered',
        'CrateDBCloudExporterDown',
        'CrateDBCloudExporterShardsDisagree',
        'CrateDBCloudExporterShardMissing',
        'CrateDBCloudExporterDataStale',
        'CrateDBCloudCollectorNeverSucceeded',
        'CrateDBCloudApiAuthenticationFailing',
        'CrateDBCloudApiKeyFailing',
        'CrateDBCloudApiThrottled',
        'CrateDBCloudExporterWebConfigRefused',
        'CrateDBCloudAutopilotActionFailed'
      ])
    )
  })

  it.each(ruleCases)('%s has severity, summary, description and a runbook that exists', (_name, rule) => {
    expect(['warning', 'critical']).toContain(rule.labels?.['severity'])
    expect(rule.annotations?.['summary']?.length ?? 0).toBeGreaterThan(10)
    expect(rule.annotations?.['description']?.length ?? 0).toBeGreaterThan(20)
    const url = rule.annotations?.['runbook_url'] ?? ''
    expect(url.startsWith(RUNBOOK_BASE)).toBe(true)
    expect(runbookAnchors).toContain(url.slice(RUNBOOK_BASE.length))
  })

  it.each(ruleCases)('%s names the cluster when it is about one', (_name, rule) => {
    if (!rule.expr.includes('cratedb_cloud_cluster_') || rule.alert === 'CrateDBCloudNoClustersDiscovered')
      return
    expect(rule.annotations?.['summary']).toContain('{{ $labels.cluster_name }}')
  })

  it.each(ruleCases)('%s names the cluster and the node when it is about a node', (_name, rule) => {
    if (!rule.expr.includes('cratedb_cloud_node_')) return
    expect(rule.annotations?.['summary']).toContain('{{ $labels.cluster_name }}')
    expect(rule.annotations?.['summary']).toContain('{{ $labels.node }}')
  })

  it('say that node storage counts shard sizes only, so the real disk use is higher', () => {
    const node = rules.filter((r) => r.alert === 'CrateDBCloudNodeStorageHigh')
    expect(node.map((r) => r.labels?.['severity']).sort()).toEqual(['critical', 'warning'])
    for (const rule of node) expect(rule.annotations?.['description']).toMatch(/shard sizes only.*higher/s)
  })

  it.each(ruleCases)('%s uses only metrics of the contract, and rates only counters', async (_name, rule) => {
    const contract = await contractMetrics()
    for (const name of selectedMetrics(rule.expr)) expect(contract.has(name), name).toBe(true)
    for (const name of metricsInFunctions(rule.expr, ['rate', 'irate', 'increase'])) {
      expect(contract.get(name), `${name} in ${rule.expr}`).toBe('counter')
    }
    for (const name of metricsInFunctions(rule.expr, ['deriv', 'predict_linear', 'avg_over_time'])) {
      expect(contract.get(name), `${name} in ${rule.expr}`).toBe('gauge')
    }
  })

  it('mention the 90-day deletion of unused keys where authentication fails', () => {
    const auth = rules.filter((r) => r.alert === 'CrateDBCloudApiAuthenticationFailing')
    expect(auth).toHaveLength(1)
    expect(auth[0]?.annotations?.['summary']).toMatch(/revoked.*90 days without use/s)
  })
})

describe('the anchor helper', () => {
  it('follows GitHub heading anchors', () => {
    expect(anchors('## Storage almost full\n### API authentication failing (401/403)')).toEqual(
      new Set(['storage-almost-full', 'api-authentication-failing-401403'])
    )
  })
})
