import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FAMILY_CPU,
  FAMILY_HEALTH,
  FAMILY_HEAP_MAX,
  FAMILY_HEAP_POOL,
  FAMILY_LAST_ACTIVITY,
  FAMILY_MEMORY,
  FAMILY_QUERY_DURATION,
  FAMILY_QUERY_FAILED,
  FAMILY_QUERY_TOTAL,
  FAMILY_READY,
  FAMILY_SHARDS
} from '../../../../src/collectors/org-metrics/families.js'
import { createOrgMetricsReader } from '../../../../src/collectors/org-metrics/reader.js'
import { ROW_RULES, compileRowRules, type RowRule } from '../../../../src/collectors/org-metrics/rules.js'
import type { OrgMetricsReading } from '../../../../src/collectors/org-metrics/types.js'

/**
 * The row rules are one table; the picked path (rows.ts, taken by default for rows in the API's form)
 * and the full scan (reader.ts, taken for every row with validateDropped) are both made from it. Rows
 * drawn from a table's values and near misses must be used by both paths exactly when the table says so,
 * for the real table and for a changed one.
 */
const CLUSTER = '5e52d9b3-3b92-4568-a3a4-620ed9d1d445'
const POD = `crate-data-hot-${CLUSTER}-0`
const POD_1 = `crate-master-${CLUSTER}-1`
const TS = 1778668455079

const NAMES: readonly (readonly [number, string])[] = [
  [FAMILY_HEALTH, 'cloud_clusters_health'],
  [FAMILY_CPU, 'container_cpu_usage_seconds_total'],
  [FAMILY_MEMORY, 'container_memory_usage_bytes'],
  [FAMILY_HEAP_POOL, 'jvm_memory_pool_bytes_used'],
  [FAMILY_HEAP_MAX, 'jvm_memory_bytes_max'],
  [FAMILY_SHARDS, 'crate_node'],
  [FAMILY_READY, 'crate_ready'],
  [FAMILY_LAST_ACTIVITY, 'cratedb_cluster_last_user_activity'],
  [FAMILY_QUERY_TOTAL, 'crate_query_total_count'],
  [FAMILY_QUERY_FAILED, 'crate_query_failed_count'],
  [FAMILY_QUERY_DURATION, 'crate_query_sum_of_durations_millis']
]

/**
 * The table with every kind of change: other values (one with a quote, one with a backslash, so that
 * only the full scan can read them), another pod label, labels added and removed, the timestamp
 * requirement flipped, another query and cluster name label.
 */
const CHANGED: RowRule[] = []
CHANGED[FAMILY_HEALTH] = { kind: 'cluster', id: 'cluster_id', name: 'name' }
CHANGED[FAMILY_CPU] = {
  kind: 'pod',
  pod: 'pod_name',
  match: [{ label: 'container', values: ['sidecar', 'crate-2'] }],
  timestamp: false
}
CHANGED[FAMILY_MEMORY] = { kind: 'pod', pod: 'pod', match: [], timestamp: true }
CHANGED[FAMILY_HEAP_POOL] = {
  kind: 'pod',
  pod: 'pod_name',
  match: [{ label: 'pool', values: ['Metaspace', 'G1 "Old" Gen'] }],
  timestamp: false
}
CHANGED[FAMILY_HEAP_MAX] = {
  kind: 'pod',
  pod: 'pod_name',
  match: [
    { label: 'area', values: ['nonheap'] },
    { label: 'id', values: ['a\\b'] }
  ],
  timestamp: false
}
CHANGED[FAMILY_SHARDS] = {
  kind: 'pod',
  pod: 'pod_name',
  match: [{ label: 'property', values: ['size', 'count'] }],
  timestamp: true
}
CHANGED[FAMILY_READY] = {
  kind: 'pod',
  pod: 'pod_name',
  match: [{ label: 'container', values: ['crate'] }],
  timestamp: false
}
CHANGED[FAMILY_LAST_ACTIVITY] = { kind: 'pod', pod: 'pod', match: [], timestamp: false }
for (const family of [FAMILY_QUERY_TOTAL, FAMILY_QUERY_FAILED, FAMILY_QUERY_DURATION])
  CHANGED[family] = { kind: 'pod', pod: 'pod_name', match: [], timestamp: false, query: 'kind' }

const TABLES = [ROW_RULES, CHANGED] as const

const escape = (value: string): string =>
  value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')
const unescape = (written: string): string =>
  written.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))

/** The labels a rule reads, with values that satisfy it (any value of a label that is not matched). */
function ruleLabels(rule: RowRule): { label: string; values: readonly string[] }[] {
  if (rule.kind === 'cluster')
    return [
      { label: rule.id, values: [CLUSTER] },
      { label: rule.name, values: ['dev', 'say "hi"'] }
    ]
  const labels = [{ label: rule.pod, values: [POD, POD_1] }, ...rule.match]
  if (rule.query !== undefined) labels.push({ label: rule.query, values: ['Select', 'Ins\\ert'] })
  return labels
}

/** Per label name, every value either table gives it and near misses of them, as written in a line. */
const POOL = new Map<string, Set<string>>()
for (const table of TABLES)
  for (const rule of table)
    for (const { label, values } of ruleLabels(rule)) {
      const pool = POOL.get(label) ?? new Set(['', 'crate-operator-0'])
      POOL.set(label, pool)
      for (const value of values)
        for (const near of [value, `${value}x`, value.slice(0, -1), value.toUpperCase(), `${value}\\`])
          pool.add(escape(near))
    }
const LABEL_NAMES = [...POOL.keys(), 'zone']
const ANY_VALUE = [...new Set([...POOL.values()].flatMap((pool) => [...pool]))]

/** A row of `family` for `rule`: its labels mostly right, sometimes missing or wrong, plus others, shuffled. */
function rowOf(rule: RowRule): fc.Arbitrary<{ labels: [string, string][]; timestamp: boolean }> {
  const ruled = ruleLabels(rule).map(({ label, values }) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...values.map(escape)).map((value) => [[label, value]]) },
      { weight: 3, arbitrary: fc.constantFrom(...POOL.get(label)!).map((value) => [[label, value]]) },
      { weight: 1, arbitrary: fc.constant([]) }
    )
  )
  const extra = fc.array(fc.tuple(fc.constantFrom(...LABEL_NAMES), fc.constantFrom(...ANY_VALUE)), {
    maxLength: 3
  })
  return fc.tuple(fc.tuple(...ruled), extra, fc.boolean()).chain(([ruledLabels, extraLabels, timestamp]) => {
    const labels = [...(ruledLabels.flat() as [string, string][]), ...extraLabels]
    return fc
      .shuffledSubarray(labels, { minLength: labels.length, maxLength: labels.length })
      .map((shuffled) => ({ labels: shuffled, timestamp }))
  })
}

/** What the table says of a row: used or not. The first of labels of the same name counts. */
function used(rule: RowRule, labels: [string, string][], timestamp: boolean): boolean {
  const value = (label: string): string | undefined => {
    const found = labels.find(([name]) => name === label)
    return found === undefined ? undefined : unescape(found[1])
  }
  if (rule.kind === 'cluster') return value(rule.id) !== undefined
  if (!rule.match.every((match) => match.values.includes(value(match.label) ?? '\u0000'))) return false
  if (rule.timestamp && !timestamp) return false
  if (rule.query !== undefined && value(rule.query) === undefined) return false
  const pod = value(rule.pod)
  return pod === POD || pod === POD_1
}

function read(body: string, rowRules: readonly RowRule[], validateDropped: boolean): OrgMetricsReading {
  const reader = createOrgMetricsReader({ rowRules, validateDropped })
  reader.write(Buffer.from(body))
  return reader.end()
}

function checkTable(table: readonly RowRule[]): void {
  const row = fc
    .constantFrom(...NAMES)
    .chain(([family, name]) => rowOf(table[family]!).map((drawn) => ({ family, name, ...drawn })))
  // Rows used and unused per family, so that neither answer goes unchecked.
  const seen = NAMES.map(() => [0, 0])
  fc.assert(
    fc.property(row, ({ family, name, labels, timestamp }) => {
      const set = labels.length === 0 ? '' : `{${labels.map(([l, v]) => `${l}="${v}"`).join(',')}}`
      const body = `${name}${set} 1.5${timestamp ? ` ${TS}` : ''}\n`
      const picked = read(body, table, false)
      const scanned = read(body, table, true)
      expect(picked).toEqual(scanned)
      expect(picked.invalidLines).toBe(0)
      const rule = table[family]!
      const kept = rule.kind === 'cluster' ? picked.clusterHealth.size : picked.nodes.size
      const expected = used(rule, labels, timestamp)
      expect(kept, body).toBe(expected ? 1 : 0)
      seen[family]![expected ? 1 : 0]!++
    }),
    { numRuns: 1000 }
  )
  for (const [family, name] of NAMES) {
    expect(seen[family]![0], `${name} rows unused`).toBeGreaterThan(0)
    expect(seen[family]![1], `${name} rows used`).toBeGreaterThan(0)
  }
}

describe('org metrics row rules', () => {
  it('are followed by both paths, for rows drawn from the table and near misses', () => {
    checkTable(ROW_RULES)
  })

  it('reach both paths when changed', () => {
    checkTable(CHANGED)
  })

  it('change which rows both paths use', () => {
    const body =
      `container_cpu_usage_seconds_total{container="crate",pod="${POD}"} 1.0 ${TS}\n` +
      `container_cpu_usage_seconds_total{container="sidecar",pod_name="${POD_1}"} 2.0\n`
    for (const validateDropped of [false, true]) {
      const real = read(body, ROW_RULES, validateDropped)
      expect([...real.nodes.keys()]).toEqual([`${CLUSTER}/data-hot-0`])
      const changed = read(body, CHANGED, validateDropped)
      expect([...changed.nodes.keys()]).toEqual([`${CLUSTER}/master-1`])
    }
  })

  it('refuse a table that misses a family, reads a label twice or allows no value', () => {
    expect(() => compileRowRules(ROW_RULES.slice(0, -1))).toThrow(/family 10 has no row rule/)
    const twice = [...ROW_RULES]
    twice[FAMILY_MEMORY] = {
      kind: 'pod',
      pod: 'pod',
      match: [{ label: 'pod', values: ['x'] }],
      timestamp: false
    }
    expect(() => compileRowRules(twice)).toThrow(/names a label twice: pod, pod/)
    const none = [...ROW_RULES]
    none[FAMILY_HEAP_MAX] = {
      kind: 'pod',
      pod: 'pod_name',
      match: [{ label: 'area', values: [] }],
      timestamp: false
    }
    expect(() => compileRowRules(none)).toThrow(/label area of family 4 has no value/)
  })
})
