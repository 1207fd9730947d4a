import { BigValueColorMode } from '@grafana/grafana-foundation-sdk/common'
import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { DASHBOARD_UIDS, dashboard } from './base.js'
import { storageRow } from './cluster-storage.js'
import {
  cpuThresholds,
  datasourceVariable,
  healthCode,
  healthMappings,
  instantQuery,
  labelStat,
  labelVariable,
  organizationVariable,
  rangeQuery,
  stat,
  stateTimeline,
  storageUtilizationThresholds,
  timeseries,
  timeUntilFullThresholds,
  valueText
} from './panels.js'
import { STORAGE_TREND_WINDOW } from './thresholds.js'

const C = 'cluster_id="$cluster_id"'
const N = 'cluster_id="$cluster_id", node=~"$node"'
/** The exporter updates its counters once per poll (60 s): a rate needs a window of at least two polls. */
const COUNTER_INTERVAL = '2m'
const RATE = '$__rate_interval'

const USED = `cratedb_cloud_cluster_storage_used_bytes{${C}}`
const CAPACITY = `cratedb_cloud_cluster_storage_capacity_bytes{${C}}`
const rate = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}{${N}}[${RATE}]))`

function statusRow(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('Status'))
    .withPanel(
      stat('Health', [instantQuery(healthCode(C))], { mappings: healthMappings(), width: 3 }).colorMode(
        BigValueColorMode.Background
      )
    )
    .withPanel(
      stat(
        'Ready nodes',
        [
          instantQuery(`cratedb_cloud_cluster_ready_nodes{${C}}`, 'ready'),
          instantQuery(`cratedb_cloud_cluster_nodes{${C}}`, 'configured')
        ],
        { width: 3 }
      )
    )
    .withPanel(
      labelStat('Plan', `cratedb_cloud_cluster_info{${C}}`, '{{product_name}} ({{product_tier}})', {
        width: 3
      })
    )
    .withPanel(labelStat('Version', `cratedb_cloud_cluster_info{${C}}`, '{{crate_version}}', { width: 3 }))
    .withPanel(labelStat('Region', `cratedb_cloud_cluster_info{${C}}`, '{{region}}', { width: 3 }))
    .withPanel(
      labelStat('Running operation', `cratedb_cloud_cluster_running_operation{${C}} == 1`, '{{operation}}', {
        width: 3,
        noValue: 'none'
      })
    )
    .withPanel(
      stat('Suspended', [instantQuery(`cratedb_cloud_cluster_suspended{${C}}`)], {
        mappings: valueText({ '0': ['no', 'green'], '1': ['yes', 'blue'] }),
        width: 3
      })
    )
    .withPanel(
      stat(
        'Last user query',
        [instantQuery(`cratedb_cloud_cluster_last_user_activity_timestamp_seconds{${C}} * 1000`)],
        {
          unit: 'dateTimeFromNow',
          width: 3
        }
      )
    )
    .withPanel(
      stat('CPU cores per node (plan)', [instantQuery(`cratedb_cloud_cluster_cpus_per_node{${C}}`)], {
        width: 4
      })
    )
    .withPanel(
      stat('Memory per node (plan)', [instantQuery(`cratedb_cloud_cluster_memory_per_node_bytes{${C}}`)], {
        unit: 'bytes',
        width: 4
      })
    )
    .withPanel(
      stat('Heap per node (plan)', [instantQuery(`cratedb_cloud_cluster_heap_per_node_bytes{${C}}`)], {
        unit: 'bytes',
        width: 4
      })
    )
    .withPanel(
      stat('CPU utilization', [instantQuery(`cratedb_cloud_cluster_cpu_utilization_ratio{${C}}`)], {
        unit: 'percentunit',
        thresholds: cpuThresholds(),
        width: 4
      })
    )
    .withPanel(
      stat('Storage utilization', [instantQuery(`cratedb_cloud_cluster_storage_utilization_ratio{${C}}`)], {
        unit: 'percentunit',
        thresholds: storageUtilizationThresholds(),
        width: 4
      })
    )
    .withPanel(
      stat(
        'Time until storage is full',
        [instantQuery(`clamp_min(${CAPACITY} - ${USED}, 0) / (deriv(${USED}[${STORAGE_TREND_WINDOW}]) > 0)`)],
        {
          unit: 's',
          thresholds: timeUntilFullThresholds(),
          noValue: 'not growing',
          width: 4,
          description: `Linear extrapolation of the last ${STORAGE_TREND_WINDOW} of storage growth.`
        }
      )
    )
}

function resourceRows(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('CPU and memory'))
    .withPanel(
      timeseries(
        'CPU cores used per node',
        [
          rangeQuery(`cratedb_cloud_node_cpu_usage_cores{${N}}`, '{{node}}'),
          rangeQuery(`cratedb_cloud_cluster_cpus_per_node{${C}}`, 'cores per node (plan)')
        ],
        { unit: 'none', min: 0 }
      )
    )
    .withPanel(
      timeseries(
        'CPU utilization per node',
        [rangeQuery(`cratedb_cloud_node_cpu_utilization_ratio{${N}}`, '{{node}}')],
        {
          unit: 'percentunit',
          min: 0,
          thresholds: cpuThresholds(),
          showThresholds: true
        }
      )
    )
    .withPanel(
      timeseries(
        'Memory used per node',
        [
          rangeQuery(`cratedb_cloud_node_memory_usage_bytes{${N}}`, '{{node}}'),
          rangeQuery(`cratedb_cloud_cluster_memory_per_node_bytes{${C}}`, 'memory per node (plan)')
        ],
        { unit: 'bytes', min: 0, description: 'RSS plus page cache of the CrateDB container.' }
      )
    )
    .withPanel(
      timeseries(
        'JVM heap per node',
        [
          rangeQuery(`cratedb_cloud_node_heap_used_bytes{${N}}`, '{{node}} used'),
          rangeQuery(`cratedb_cloud_node_heap_max_bytes{${N}}`, '{{node}} max')
        ],
        { unit: 'bytes', min: 0 }
      )
    )
}

function queryRow(d: ReturnType<typeof dashboard>): void {
  const queries = 'cratedb_cloud_node_queries_total'
  d.withRow(new RowBuilder('Queries'))
    .withPanel(
      timeseries('Queries per second by type', [rangeQuery(rate(queries, 'query_type'), '{{query_type}}')], {
        unit: 'ops',
        min: 0,
        interval: COUNTER_INTERVAL
      })
    )
    .withPanel(
      timeseries(
        'Mean query latency by type',
        [
          rangeQuery(
            `${rate('cratedb_cloud_node_query_duration_seconds_total', 'query_type')} / ${rate(queries, 'query_type')}`,
            '{{query_type}}'
          )
        ],
        { unit: 's', min: 0, interval: COUNTER_INTERVAL }
      )
    )
    .withPanel(
      timeseries(
        'Failed queries per second by type',
        [rangeQuery(rate('cratedb_cloud_node_query_failures_total', 'query_type'), '{{query_type}}')],
        { unit: 'ops', min: 0, interval: COUNTER_INTERVAL }
      )
    )
    .withPanel(
      timeseries('Queries per second by node', [rangeQuery(rate(queries, 'node'), '{{node}}')], {
        unit: 'ops',
        min: 0,
        interval: COUNTER_INTERVAL
      })
    )
}

function readinessRow(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('Readiness and operations'))
    .withPanel(
      stateTimeline('Node readiness', [rangeQuery(`cratedb_cloud_node_ready{${N}}`, '{{node}}')], {
        mappings: valueText({ '0': ['not ready', 'red'], '1': ['ready', 'green'] }),
        width: 8
      })
    )
    .withPanel(
      stateTimeline('Health over time', [rangeQuery(healthCode(C), 'health')], {
        mappings: healthMappings(),
        width: 8
      })
    )
    .withPanel(
      stateTimeline(
        'Operations',
        [rangeQuery(`cratedb_cloud_cluster_running_operation{${C}}`, '{{operation}}')],
        { mappings: valueText({ '1': ['running', 'blue'] }), width: 8 }
      )
    )
}

export function buildCluster(): Dashboard {
  const d = dashboard(
    DASHBOARD_UIDS.cluster,
    'CrateDB Cloud / Cluster',
    'One CrateDB Cloud cluster: nodes, CPU, memory, heap, storage and its trend, queries, readiness and operations.'
  )
    .withVariable(datasourceVariable())
    .withVariable(organizationVariable())
    .withVariable(
      labelVariable('cluster', {
        label: 'Cluster',
        selector: 'cratedb_cloud_cluster_info{organization_name=~"$organization"}',
        labelName: 'cluster_name'
      })
    )
    .withVariable(
      labelVariable('cluster_id', {
        label: 'Cluster id',
        selector: 'cratedb_cloud_cluster_info{organization_name=~"$organization", cluster_name="$cluster"}',
        labelName: 'cluster_id'
      })
    )
    .withVariable(
      labelVariable('node', {
        label: 'Node',
        selector: 'cratedb_cloud_node_ready{cluster_id="$cluster_id"}',
        labelName: 'node',
        all: true
      })
    )
  statusRow(d)
  resourceRows(d)
  storageRow(d, { cluster: C, node: N })
  queryRow(d)
  readinessRow(d)
  return d.build()
}
