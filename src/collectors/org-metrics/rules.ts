import {
  FAMILY_COUNT,
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
} from './families.js'

/** A label the row must carry with one of `values` (exactly, after unescaping). */
export interface LabelMatch {
  readonly label: string
  readonly values: readonly string[]
}

/** cloud_clusters_health: a cluster's health, keyed by its id; the name may be missing. */
export interface ClusterRule {
  readonly kind: 'cluster'
  readonly id: string
  readonly name: string
}

/** A row of one CrateDB node, found by its pod's name. */
export interface PodRule {
  readonly kind: 'pod'
  /** The label naming the pod: `pod` in cAdvisor rows, `pod_name` in those of CrateDB's exporters. */
  readonly pod: string
  /** Every one must hold; rows of other containers, pools, areas or properties share the family. */
  readonly match: readonly LabelMatch[]
  /** The row is used only with its own timestamp: the rates derived from it need the sample's time. */
  readonly timestamp: boolean
  /** The label holding the query type; the row is used only with it. */
  readonly query?: string
}

export type RowRule = ClusterRule | PodRule

const CRATE_CONTAINER: LabelMatch = { label: 'container', values: ['crate'] }
const queryRule: PodRule = { kind: 'pod', pod: 'pod_name', match: [], timestamp: true, query: 'query' }

/**
 * Which rows of each kept family the reader uses: the one table both ways of reading a row (the picked
 * labels of ./rows.ts and the full scan of ./reader.ts) are made from, indexed by family.
 */
export const ROW_RULES: readonly RowRule[] = byFamily([
  [FAMILY_HEALTH, { kind: 'cluster', id: 'cluster_id', name: 'cluster_name' }],
  [FAMILY_CPU, { kind: 'pod', pod: 'pod', match: [CRATE_CONTAINER], timestamp: true }],
  [FAMILY_MEMORY, { kind: 'pod', pod: 'pod', match: [CRATE_CONTAINER], timestamp: false }],
  [
    FAMILY_HEAP_POOL,
    {
      kind: 'pod',
      pod: 'pod_name',
      match: [{ label: 'pool', values: ['G1 Eden Space', 'G1 Old Gen', 'G1 Survivor Space'] }],
      timestamp: false
    }
  ],
  [
    FAMILY_HEAP_MAX,
    { kind: 'pod', pod: 'pod_name', match: [{ label: 'area', values: ['heap'] }], timestamp: false }
  ],
  [
    FAMILY_SHARDS,
    {
      kind: 'pod',
      pod: 'pod_name',
      match: [
        { label: 'name', values: ['shard_info'] },
        { label: 'property', values: ['size'] }
      ],
      timestamp: false
    }
  ],
  [FAMILY_READY, { kind: 'pod', pod: 'pod_name', match: [], timestamp: false }],
  [FAMILY_LAST_ACTIVITY, { kind: 'pod', pod: 'pod_name', match: [], timestamp: false }],
  [FAMILY_QUERY_TOTAL, queryRule],
  [FAMILY_QUERY_FAILED, queryRule],
  [FAMILY_QUERY_DURATION, queryRule]
])

function byFamily(entries: readonly (readonly [number, RowRule])[]): RowRule[] {
  const rules: RowRule[] = []
  for (const [family, rule] of entries) {
    if (rules[family] !== undefined) throw new Error(`family ${family} has two row rules`)
    rules[family] = rule
  }
  return rules
}

/**
 * One rule as both paths use it: the label names as bytes, in the order they are read (the key first,
 * then the matched labels, then the query type or cluster name), and each matched label's values.
 */
export interface CompiledRule {
  readonly cluster: boolean
  readonly labels: readonly string[]
  readonly labelBytes: readonly Buffer[]
  /** labels[1 .. matchCount] are matched; values[m - 1] are the values label m may have. */
  readonly matchCount: number
  readonly values: readonly (readonly Buffer[])[]
  readonly timestamp: boolean
  /** The index in `labels` of the query type (required) or of the cluster name (optional); -1 if none. */
  readonly textAt: number
}

/** The rules of every kept family, checked: a label is read once per row, whatever its role. */
export function compileRowRules(rules: readonly RowRule[]): CompiledRule[] {
  const compiled: CompiledRule[] = []
  for (let family = 0; family < FAMILY_COUNT; family++) {
    const rule = rules[family]
    if (rule === undefined) throw new Error(`family ${family} has no row rule`)
    compiled.push(compileRule(family, rule))
  }
  return compiled
}

function compileRule(family: number, rule: RowRule): CompiledRule {
  const matches = rule.kind === 'pod' ? rule.match : []
  const text = rule.kind === 'cluster' ? rule.name : rule.query
  const labels = [rule.kind === 'cluster' ? rule.id : rule.pod, ...matches.map((match) => match.label)]
  if (text !== undefined) labels.push(text)
  if (new Set(labels).size !== labels.length)
    throw new Error(`the row rule of family ${family} names a label twice: ${labels.join(', ')}`)
  for (const match of matches)
    if (match.values.length === 0) throw new Error(`label ${match.label} of family ${family} has no value`)
  return {
    cluster: rule.kind === 'cluster',
    labels,
    labelBytes: labels.map((label) => Buffer.from(label, 'utf8')),
    matchCount: matches.length,
    values: matches.map((match) => match.values.map((value) => Buffer.from(value, 'utf8'))),
    timestamp: rule.kind === 'pod' && rule.timestamp,
    textAt: text === undefined ? -1 : labels.length - 1
  }
}

/** ROW_RULES, compiled once for every reader that uses them. */
export const COMPILED_ROW_RULES: readonly CompiledRule[] = compileRowRules(ROW_RULES)
