import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { CLUSTER_DASHBOARD_LINK, DASHBOARD_UIDS, dashboard } from './base.js'
import {
  cpuThresholds,
  datasourceVariable,
  healthCode,
  healthMappings,
  instantQuery,
  organizationVariable,
  rangeQuery,
  stat,
  stateTimeline,
  storageUtilizationThresholds,
  thresholds,
  timeseries,
  timeUntilFullThresholds,
  valueText
} from './panels.js'
import { clusterTable } from './tables.js'
import { STORAGE_TREND_WINDOW } from './thresholds.js'

const ORG_INFO = 'cratedb_cloud_cluster_info{organization_name=~"$organization"}'

/** Cluster families carry no organization label: the organization filter joins on cratedb_cloud_cluster_info. */
const inOrg = (expr: string): string => `${expr} and on (cluster_id) ${ORG_INFO}`
const perCluster = (expr: string): string => `max by (cluster_id, cluster_name) (${inOrg(expr)})`

const USED = 'cratedb_cloud_cluster_storage_used_bytes'
const CAPACITY = 'cratedb_cloud_cluster_storage_capacity_bytes'
/** Seconds until the used bytes reach the capacity at the current linear trend; only for a rising trend. */
export const TIME_UNTIL_FULL = `clamp_min(${CAPACITY} - ${USED}, 0) / (deriv(${USED}[${STORAGE_TREND_WINDOW}]) > 0)`

const runningMappings = () => valueText({ '1': ['running', 'blue'] })
const yesNo = () => valueText({ '0': ['no', 'green'], '1': ['yes', 'blue'] })

function summaryRow(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('Summary'))
    .withPanel(stat('Clusters', [instantQuery(`count(${ORG_INFO})`)], { noValue: '0' }))
    .withPanel(
      stat('Nodes', [instantQuery(`sum(${inOrg('cratedb_cloud_cluster_nodes')})`)], { noValue: '0' })
    )
    .withPanel(
      stat(
        'Clusters not GREEN',
        [
          instantQuery(
            `count(${inOrg('cratedb_cloud_cluster_health_status{status=~"YELLOW|RED|UNREACHABLE|UNKNOWN"} == 1')})`
          )
        ],
        { noValue: '0', thresholds: thresholds([null, 'green'], [1, 'red']) }
      )
    )
    .withPanel(
      stat('Suspended clusters', [instantQuery(`count(${inOrg('cratedb_cloud_cluster_suspended == 1')})`)], {
        noValue: '0'
      })
    )
    .withPanel(
      stat(
        'Running operations',
        [instantQuery(`count(${inOrg('cratedb_cloud_cluster_running_operation == 1')})`)],
        { noValue: '0' }
      )
    )
    .withPanel(
      stat(
        'Highest storage utilization',
        [instantQuery(`max(${inOrg('cratedb_cloud_cluster_storage_utilization_ratio')})`)],
        { unit: 'percentunit', thresholds: storageUtilizationThresholds() }
      )
    )
}

function clustersTable() {
  return clusterTable(
    'All clusters',
    [
      {
        expr: `max by (cluster_id, cluster_name, organization_name, project_name, region, product_name, product_tier, crate_version) (${ORG_INFO})`,
        labels: {
          organization_name: 'Organization',
          project_name: 'Project',
          region: 'Region',
          product_name: 'Plan',
          product_tier: 'Tier',
          crate_version: 'Version'
        }
      },
      { expr: inOrg(healthCode('')), name: 'Health', mappings: healthMappings(), background: true },
      { expr: perCluster('cratedb_cloud_cluster_nodes'), name: 'Nodes' },
      { expr: perCluster('cratedb_cloud_cluster_ready_nodes'), name: 'Ready nodes' },
      {
        expr: perCluster('cratedb_cloud_cluster_cpu_utilization_ratio'),
        name: 'CPU utilization',
        unit: 'percentunit',
        thresholds: cpuThresholds()
      },
      { expr: perCluster(USED), name: 'Storage used', unit: 'bytes' },
      { expr: perCluster(CAPACITY), name: 'Storage capacity', unit: 'bytes' },
      {
        expr: perCluster('cratedb_cloud_cluster_storage_utilization_ratio'),
        name: 'Storage utilization',
        unit: 'percentunit',
        thresholds: storageUtilizationThresholds(),
        background: true
      },
      {
        expr: perCluster(TIME_UNTIL_FULL),
        name: 'Time until full',
        unit: 's',
        thresholds: timeUntilFullThresholds()
      },
      {
        expr: `max by (cluster_id, cluster_name, operation) (${inOrg('cratedb_cloud_cluster_running_operation == 1')})`,
        labels: { operation: 'Running operation' }
      },
      { expr: perCluster('cratedb_cloud_cluster_suspended'), name: 'Suspended', mappings: yesNo() }
    ],
    {
      description:
        'One row per cluster; click a column header to sort, a cluster name to open its dashboard. Time until full extrapolates the last ' +
        `${STORAGE_TREND_WINDOW} of storage growth and is empty when storage does not grow.`,
      sortBy: 'Storage utilization',
      clusterLink: { title: 'Cluster dashboard', url: CLUSTER_DASHBOARD_LINK },
      height: 10
    }
  )
}

export function buildOverview(): Dashboard {
  const d = dashboard(
    DASHBOARD_UIDS.overview,
    'CrateDB Cloud / Overview',
    'Every CrateDB Cloud cluster at a glance: health, size, plan, CPU and storage, from cratedb-cloud-exporter.'
  )
    .withVariable(datasourceVariable())
    .withVariable(organizationVariable())
  summaryRow(d)
  d.withRow(new RowBuilder('Clusters')).withPanel(clustersTable())
  d.withRow(new RowBuilder('Trends'))
    .withPanel(
      timeseries(
        'Storage utilization',
        [rangeQuery(perCluster('cratedb_cloud_cluster_storage_utilization_ratio'), '{{cluster_name}}')],
        {
          unit: 'percentunit',
          min: 0,
          thresholds: storageUtilizationThresholds(),
          showThresholds: true,
          description: 'Storage used / capacity per cluster; dashed lines are the alert thresholds.'
        }
      )
    )
    .withPanel(
      timeseries(
        'CPU utilization',
        [rangeQuery(perCluster('cratedb_cloud_cluster_cpu_utilization_ratio'), '{{cluster_name}}')],
        {
          unit: 'percentunit',
          min: 0,
          thresholds: cpuThresholds(),
          showThresholds: true,
          description: 'Mean CPU utilization of the nodes of each cluster (cores used / cores of the plan).'
        }
      )
    )
    .withPanel(
      timeseries('Storage used', [rangeQuery(perCluster(USED), '{{cluster_name}}')], {
        unit: 'bytes',
        min: 0
      })
    )
    .withPanel(
      timeseries(
        'Predicted time until storage is full',
        [rangeQuery(perCluster(TIME_UNTIL_FULL), '{{cluster_name}}')],
        {
          unit: 's',
          min: 0,
          thresholds: timeUntilFullThresholds(),
          showThresholds: true,
          description: `Linear extrapolation of the last ${STORAGE_TREND_WINDOW} of storage growth; no line while storage does not grow.`
        }
      )
    )
    .withPanel(
      stateTimeline('Health over time', [rangeQuery(inOrg(healthCode('')), '{{cluster_name}}')], {
        mappings: healthMappings(),
        width: 12,
        description: 'Cluster health as CrateDB Cloud reports it (cratedb_cloud_cluster_health_status).'
      })
    )
    .withPanel(
      stateTimeline(
        'Operations over time',
        [
          rangeQuery(
            `max by (cluster_name, operation) (${inOrg('cratedb_cloud_cluster_running_operation')})`,
            '{{cluster_name}}: {{operation}}'
          )
        ],
        { mappings: runningMappings(), width: 12 }
      )
    )
    .withPanel(
      timeseries(
        'Queries per second',
        [
          rangeQuery(
            `sum by (cluster_name) (${inOrg('rate(cratedb_cloud_node_queries_total[$__rate_interval])')})`,
            '{{cluster_name}}'
          )
        ],
        { unit: 'ops', min: 0, interval: '2m', width: 24 }
      )
    )
  return d.build()
}
