import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { concreteExpression, listExpressions } from '../../../grafana/src/index.js'
import { externalTool } from '../../helpers/environment.js'
import { contractMetrics, metricsInFunctions, selectedMetrics } from '../prometheus/contract.js'

const expressions = listExpressions()
const promtool = externalTool('promtool')
const contract = await contractMetrics()
const cases = expressions.map((e) => [`${e.dashboard} / ${e.panel} / ${e.refId}`, e] as const)

describe('listExpressions()', () => {
  it('lists the targets and variables of all three dashboards', () => {
    const byDashboard = new Map<string, number>()
    for (const e of expressions) byDashboard.set(e.dashboard, (byDashboard.get(e.dashboard) ?? 0) + 1)
    expect([...byDashboard.keys()]).toEqual([
      'cratedb-cloud-overview',
      'cratedb-cloud-cluster',
      'cratedb-cloud-exporter'
    ])
    for (const count of byDashboard.values()) expect(count).toBeGreaterThan(15)
    expect(expressions.filter((e) => e.kind === 'variable').map((e) => `${e.dashboard}:${e.refId}`)).toEqual([
      'cratedb-cloud-overview:organization',
      'cratedb-cloud-cluster:organization',
      'cratedb-cloud-cluster:cluster',
      'cratedb-cloud-cluster:cluster_id',
      'cratedb-cloud-cluster:node',
      'cratedb-cloud-exporter:job',
      'cratedb-cloud-exporter:instance'
    ])
  })

  it('gives a variable the selector inside label_values()', () => {
    const node = expressions.find((e) => e.dashboard === 'cratedb-cloud-cluster' && e.refId === 'node')
    expect(node?.expr).toBe('cratedb_cloud_node_ready{cluster_id="$cluster_id"}')
  })
})

describe('concreteExpression()', () => {
  it('replaces $name and ${name}, longest name first', () => {
    expect(
      concreteExpression('x{cluster_name="$cluster", cluster_id="${cluster_id}"}[$__rate_interval]', {
        cluster: 'c'
      })
    ).toBe('x{cluster_name="c", cluster_id="00000000-0000-0000-0000-000000000000"}[2m]')
  })

  it('refuses an unknown variable', () => {
    expect(() => concreteExpression('x{a="$nope"}')).toThrow(/\$nope/)
  })
})

describe('dashboard expressions', () => {
  it.each(cases)('%s uses only metrics of the contract', (_name, e) => {
    const names = selectedMetrics(e.expr)
    expect(names.length, e.expr).toBeGreaterThan(0)
    for (const name of names) expect(contract.has(name), `${name} in ${e.expr}`).toBe(true)
  })

  it.each(cases)('%s never rates a gauge, never derives a counter', (_name, e) => {
    for (const name of metricsInFunctions(e.expr, ['rate', 'irate', 'increase'])) {
      expect(contract.get(name), `${name} in ${e.expr}`).toBe('counter')
    }
    for (const name of metricsInFunctions(e.expr, ['deriv', 'predict_linear', 'delta', 'avg_over_time'])) {
      expect(contract.get(name), `${name} in ${e.expr}`).toBe('gauge')
    }
  })

  it('rates every counter-based series the cluster dashboard shows', () => {
    const cluster = expressions.filter((e) => e.dashboard === 'cratedb-cloud-cluster' && e.kind === 'target')
    const counters = cluster.filter((e) => /cratedb_cloud_node_quer\w+_total/.test(e.expr))
    expect(counters.length).toBeGreaterThanOrEqual(4)
    for (const e of counters) expect(e.expr).toMatch(/\brate\(cratedb_cloud_node_quer\w+_total\{/)
  })
})

describe.skipIf(promtool === undefined)('dashboard expressions (promtool)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cce-grafana-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('all parse as PromQL, with Grafana variables replaced by concrete values', () => {
    // promtool 2.42 has no query parser command: each expression becomes a recording rule.
    const rules = expressions.map((e, index) => ({
      record: `grafana:expression_${index}`,
      expr: concreteExpression(e.expr)
    }))
    const file = join(dir, 'expressions.yml')
    writeFileSync(file, stringify({ groups: [{ name: 'grafana-expressions', rules }] }))
    const result = spawnSync(promtool ?? 'promtool', ['check', 'rules', file], { encoding: 'utf8' })
    const output = `${result.stdout}${result.stderr}`
    expect(output).toContain(`SUCCESS: ${expressions.length} rules found`)
    expect(result.status).toBe(0)
  })

  it('would catch a broken expression', () => {
    const file = join(dir, 'broken.yml')
    writeFileSync(
      file,
      stringify({ groups: [{ name: 'g', rules: [{ record: 'r:x', expr: 'sum by (a) (rate(x[5m])' }] }] })
    )
    const result = spawnSync(promtool ?? 'promtool', ['check', 'rules', file], { encoding: 'utf8' })
    expect(result.status).not.toBe(0)
  })
})
