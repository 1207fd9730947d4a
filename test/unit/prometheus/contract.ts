import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Registry } from 'prom-client'
import { parse } from 'yaml'
import { createAutopilotMetrics } from '../../../src/autopilot/metrics.js'
import { families } from '../../../src/metrics/catalogue.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import { registerShardMetrics } from '../../../src/metrics/shard-metrics.js'
import { REPO_ROOT } from '../../helpers/environment.js'

export const ALERTS_FILE = resolve(REPO_ROOT, 'prometheus/rules/cratedb-cloud-alerts.yml')
export const RUNBOOKS_FILE = resolve(REPO_ROOT, 'docs/runbooks.md')

export interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export function readAlertRules(): AlertRule[] {
  const document = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] }
  return document.groups.flatMap((group) => group.rules)
}

export function alertRule(name: string, severity: string): AlertRule {
  const rule = readAlertRules().find((r) => r.alert === name && r.labels?.['severity'] === severity)
  if (rule === undefined) throw new Error(`no ${severity} rule ${name} in ${ALERTS_FILE}`)
  return rule
}

/** The number after the last `>` of an expression: the threshold of a simple comparison alert. */
export function comparedNumber(expr: string): number {
  const matches = [...expr.matchAll(/>\s*([0-9.e+]+)/g)]
  const last = matches.at(-1)?.[1]
  if (last === undefined) throw new Error(`no "> number" in ${expr}`)
  return Number(last)
}

export const RULES_DIR = resolve(REPO_ROOT, 'prometheus/rules')

/** Names the recording rules of prometheus/rules/*.yml record; every one of them is a gauge. */
export function recordedMetrics(): string[] {
  return readdirSync(RULES_DIR)
    .filter((name) => name.endsWith('.yml'))
    .flatMap((name) => {
      const document = parse(readFileSync(resolve(RULES_DIR, name), 'utf8')) as {
        groups: { rules: { record?: string }[] }[]
      }
      return document.groups.flatMap((group) => group.rules.flatMap((rule) => rule.record ?? []))
    })
}

export type MetricKind = 'gauge' | 'counter' | 'info' | 'histogram'

/**
 * Every sample name the contract allows, with its kind: the catalogue families, the exporter's own
 * metrics (histogram samples with their suffixes) and the series Prometheus adds itself.
 */
export async function contractMetrics(): Promise<Map<string, MetricKind>> {
  const names = new Map<string, MetricKind>()
  for (const spec of Object.values(families)) names.set(spec.name, spec.type)
  const self = createSelfMetrics({ registry: new Registry(), version: '0.0.0', revision: 'test' })
  registerShardMetrics(self.registry, { total: 1, ordinal: 0 })
  for (const metric of await self.registry.getMetricsAsJSON()) {
    const type = String(metric.type)
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.set(`${metric.name}${suffix}`, 'counter')
    } else {
      names.set(metric.name, type === 'counter' ? 'counter' : 'gauge')
    }
  }
  for (const name of recordedMetrics()) names.set(name, 'gauge')
  const autopilot = new Registry()
  createAutopilotMetrics(autopilot)
  for (const metric of await autopilot.getMetricsAsJSON())
    names.set(metric.name, String(metric.type) === 'counter' ? 'counter' : 'gauge')
  names.set('up', 'gauge')
  names.set('scrape_duration_seconds', 'gauge')
  names.set('scrape_samples_scraped', 'gauge')
  return names
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset'
])

/** Metric names an expression selects: identifiers not followed by `(` outside of strings and label braces. */
export function selectedMetrics(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, '[]')
  const names: string[] = []
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = match
    if (name === undefined || call !== undefined || KEYWORDS.has(name)) continue
    if (/^(?:inf|nan)$/i.test(name)) continue
    names.push(name)
  }
  return names
}

/** Metric names passed directly to the given range functions, e.g. rate(x[5m]). */
export function metricsInFunctions(expr: string, functions: readonly string[]): string[] {
  const pattern = new RegExp(`\\b(?:${functions.join('|')})\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`, 'g')
  return [...expr.matchAll(pattern)].map((m) => m[1] ?? '')
}
