import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import type { dashboard } from './base.js'
import {
  floodStageThresholds,
  nodeStorageUtilizationThresholds,
  rangeQuery,
  storageUtilizationThresholds,
  timeseries
} from './panels.js'
import { STORAGE_TREND_WINDOW, THRESHOLDS } from './thresholds.js'

/** Label matchers of the cluster dashboard: the selected cluster, and its selected nodes. */
export interface StorageSelectors {
  cluster: string
  node: string
}

/** The storage row of the cluster dashboard: the whole cluster, and each node against the disk watermarks. */
export function storageRow(d: ReturnType<typeof dashboard>, selectors: StorageSelectors): void {
  const C = selectors.cluster
  const N = selectors.node
  const USED = `cratedb_cloud_cluster_storage_used_bytes{${C}}`
  const CAPACITY = `cratedb_cloud_cluster_storage_capacity_bytes{${C}}`
  d.withRow(new RowBuilder('Storage'))
    .withPanel(
      timeseries(
        'Storage used vs capacity',
        [
          rangeQuery(USED, 'used'),
          rangeQuery(CAPACITY, 'capacity'),
          rangeQuery(`predict_linear(${USED}[${STORAGE_TREND_WINDOW}], 86400)`, 'trend: used in 24 h')
        ],
        {
          unit: 'bytes',
          min: 0,
          description: `The trend line extrapolates the last ${STORAGE_TREND_WINDOW} of growth 24 hours ahead.`
        }
      )
    )
    .withPanel(
      timeseries(
        'Storage utilization over time',
        [rangeQuery(`cratedb_cloud_cluster_storage_utilization_ratio{${C}}`, 'utilization')],
        {
          unit: 'percentunit',
          min: 0,
          thresholds: storageUtilizationThresholds(),
          showThresholds: true,
          description: `Dashed lines: ${THRESHOLDS.storageWarningRatio * 100} % (warning) and ${THRESHOLDS.storageCriticalRatio * 100} % (critical) alerts.`
        }
      )
    )
    .withPanel(
      timeseries(
        'Storage per node',
        [
          rangeQuery(`cratedb_cloud_node_storage_used_bytes{${N}}`, '{{node}} used'),
          rangeQuery(`max(cratedb_cloud_node_storage_capacity_bytes{${N}})`, 'capacity per node')
        ],
        { unit: 'bytes', min: 0 }
      )
    )
    .withPanel(
      timeseries(
        'Storage utilization per node',
        [
          rangeQuery(
            `cratedb_cloud_node_storage_used_bytes{${N}} / (cratedb_cloud_node_storage_capacity_bytes{${N}} > 0)`,
            '{{node}}'
          )
        ],
        {
          unit: 'percentunit',
          min: 0,
          thresholds: nodeStorageUtilizationThresholds(),
          showThresholds: true,
          description:
            `CrateDB's disk watermarks apply to each node. Dashed lines: ${THRESHOLDS.nodeStorageWarningRatio * 100} % ` +
            `(low watermark, warning) and ${THRESHOLDS.nodeStorageCriticalRatio * 100} % (high watermark, critical); ` +
            "at 95 % (flood stage) the node's tables become read-only. Shard sizes only: translog and filesystem " +
            'overhead make the real disk use somewhat higher.'
        }
      )
    )
    .withPanel(
      timeseries(
        'Time until a node reaches the flood stage',
        [
          rangeQuery(
            `clamp_min((0.95 * (cratedb_cloud_node_storage_capacity_bytes{${N}} > 0) - predict_linear(cratedb_cloud_node_storage_used_bytes{${N}}[${STORAGE_TREND_WINDOW}], 0)) / (deriv(cratedb_cloud_node_storage_used_bytes{${N}}[${STORAGE_TREND_WINDOW}]) > 0), 0)`,
            '{{node}}'
          )
        ],
        {
          unit: 's',
          min: 0,
          width: 24,
          thresholds: floodStageThresholds(),
          showThresholds: true,
          description:
            `Seconds until the node holds 95 % of its disk (CrateDB's flood stage: its tables become read-only), ` +
            `at the linear trend of the last ${STORAGE_TREND_WINDOW}; the same forecast as the recording rule ` +
            'cratedb_cloud_node:storage_time_until_flood_stage_seconds:linear6h and the storage autopilot. ' +
            'No line while the node does not grow.'
        }
      )
    )
    .withPanel(
      timeseries('Shards per node', [rangeQuery(`cratedb_cloud_node_shards{${N}}`, '{{node}}')], {
        min: 0,
        width: 24
      })
    )
}
