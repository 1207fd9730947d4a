import { type Dashboard, VariableType } from '@grafana/grafana-foundation-sdk/dashboard'
import { buildCluster } from './cluster.js'
import { buildExporter } from './exporter.js'
import { buildOverview } from './overview.js'

export { DASHBOARD_UIDS } from './base.js'
export { HEALTH_CODES, THRESHOLDS } from './thresholds.js'

export interface GeneratedDashboard {
  /** File name under grafana/dashboards/. */
  readonly file: string
  readonly uid: string
  readonly title: string
  readonly dashboard: Dashboard
}

/** The parts of the generated JSON the helpers below read; the SDK types panels loosely. */
interface PanelJson {
  id?: number
  type: string
  title?: string
  targets?: { refId?: string; expr?: string; instant?: boolean }[]
}

function finalize(dashboard: Dashboard): Dashboard {
  // Explicit ids and refIds keep the JSON stable and let links, organize transformations and tests name them.
  dashboard.annotations = { list: dashboard.annotations?.list ?? [] }
  const panels = (dashboard.panels ?? []) as PanelJson[]
  panels.forEach((panel, index) => {
    panel.id = index + 1
    panel.targets?.forEach((target, targetIndex) => {
      if (target.refId === undefined || target.refId === '')
        target.refId = String.fromCharCode(65 + targetIndex)
    })
  })
  return dashboard
}

function generated(file: string, dashboard: Dashboard): GeneratedDashboard {
  return { file, uid: dashboard.uid ?? '', title: dashboard.title ?? '', dashboard: finalize(dashboard) }
}

/** Every dashboard, built fresh on each call. */
export function buildDashboards(): GeneratedDashboard[] {
  return [
    generated('cratedb-cloud-overview.json', buildOverview()),
    generated('cratedb-cloud-cluster.json', buildCluster()),
    generated('cratedb-cloud-exporter.json', buildExporter())
  ]
}

/** The exact text committed in grafana/dashboards/. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`
}

export interface DashboardExpression {
  /** Dashboard uid, e.g. cratedb-cloud-cluster. */
  readonly dashboard: string
  readonly dashboardTitle: string
  /** Panel title, or `variable <name>` for a template variable. */
  readonly panel: string
  readonly kind: 'target' | 'variable'
  /** Target refId, or the variable name. */
  readonly refId: string
  /** PromQL with Grafana variables left in ($cluster, $__rate_interval, …); see concreteExpression(). */
  readonly expr: string
  /** True for instant queries (stat, table); false for range queries. */
  readonly instant: boolean
}

const LABEL_VALUES = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/s

/**
 * Every PromQL expression of every panel target and every template variable. For a variable the
 * expression is the series selector inside label_values(…), which is what Grafana sends to Prometheus.
 */
export function listExpressions(
  dashboards: readonly GeneratedDashboard[] = buildDashboards()
): DashboardExpression[] {
  const list: DashboardExpression[] = []
  for (const { uid, title, dashboard } of dashboards) {
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== VariableType.Query || typeof variable.query !== 'string') continue
      const match = LABEL_VALUES.exec(variable.query)
      const expr = match?.[1] ?? variable.query
      list.push({
        dashboard: uid,
        dashboardTitle: title,
        panel: `variable ${variable.name}`,
        kind: 'variable',
        refId: variable.name,
        expr,
        instant: true
      })
    }
    for (const panel of (dashboard.panels ?? []) as PanelJson[]) {
      for (const target of panel.targets ?? []) {
        if (target.expr === undefined) continue
        list.push({
          dashboard: uid,
          dashboardTitle: title,
          panel: panel.title ?? '',
          kind: 'target',
          refId: target.refId ?? '',
          expr: target.expr,
          instant: target.instant === true
        })
      }
    }
  }
  return list
}

/** Values that make every expression valid PromQL; a live test may pass real cluster names and ids. */
export const EXAMPLE_VARIABLES: Readonly<Record<string, string>> = {
  organization: '.*',
  cluster: 'example-cluster',
  cluster_id: '00000000-0000-0000-0000-000000000000',
  node: '.*',
  job: '.*',
  instance: '.*',
  __rate_interval: '2m',
  __interval: '1m',
  __range: '1h'
}

/** Replaces $name and ${name} with concrete values (EXAMPLE_VARIABLES unless overridden). */
export function concreteExpression(expr: string, values: Readonly<Record<string, string>> = {}): string {
  const all = { ...EXAMPLE_VARIABLES, ...values }
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const value = all[braced ?? bare ?? '']
      if (value === undefined) throw new Error(`no value for Grafana variable ${whole} in: ${expr}`)
      return value
    }
  )
}
