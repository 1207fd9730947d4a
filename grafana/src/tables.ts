import type {
  DynamicConfigValue,
  ThresholdsConfigBuilder,
  ValueMapping
} from '@grafana/grafana-foundation-sdk/dashboard'
import { TableSortByFieldStateBuilder } from '@grafana/grafana-foundation-sdk/common'
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table'
import { DATASOURCE, tableQuery } from './panels.js'

export interface TableColumn {
  /** Instant query; every series carries cluster_id and cluster_name so the rows merge per cluster. */
  expr: string
  /** Header of the value column; without it the value is hidden and the query only brings labels. */
  name?: string
  /** Label columns the query brings, label name -> header. */
  labels?: Record<string, string>
  unit?: string
  thresholds?: ThresholdsConfigBuilder
  mappings?: ValueMapping[]
  /** Colour the cell background instead of the text. */
  background?: boolean
}

export interface ClusterTableOptions {
  description?: string
  sortBy?: string
  /** Data link on the Cluster column (Grafana link syntax). */
  clusterLink?: { title: string; url: string }
  width?: number
  height?: number
}

const refIdOf = (index: number): string => String.fromCharCode(65 + index)

/**
 * One row per cluster: each column is an instant query in table format, merged on their common labels
 * (cluster_id, cluster_name) and renamed by an organize transformation.
 */
export function clusterTable(title: string, columns: TableColumn[], options: ClusterTableOptions = {}) {
  const excludeByName: Record<string, boolean> = { Time: true, cluster_id: true }
  const renameByName: Record<string, string> = { cluster_name: 'Cluster' }
  const indexByName: Record<string, number> = { cluster_name: 0 }
  let position = 1
  columns.forEach((column) => {
    for (const [label, header] of Object.entries(column.labels ?? {})) {
      renameByName[label] = header
      indexByName[label] = position++
    }
  })
  columns.forEach((column, index) => {
    const valueField = `Value #${refIdOf(index)}`
    if (column.name === undefined) {
      excludeByName[valueField] = true
    } else {
      renameByName[valueField] = column.name
      indexByName[valueField] = position++
    }
  })

  const panel = new TablePanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(columns.map((column, index) => tableQuery(column.expr, refIdOf(index))))
    .span(options.width ?? 24)
    .height(options.height ?? 10)
    .filterable(true)
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName, indexByName, renameByName } })
  if (options.description !== undefined) panel.description(options.description)
  if (options.sortBy !== undefined) {
    panel.sortBy([new TableSortByFieldStateBuilder().displayName(options.sortBy).desc(true)])
  }
  if (options.clusterLink !== undefined) {
    panel.overrideByName('Cluster', [{ id: 'links', value: [options.clusterLink] }])
  }
  for (const column of columns) {
    if (column.name === undefined) continue
    const properties: DynamicConfigValue[] = []
    if (column.unit !== undefined) properties.push({ id: 'unit', value: column.unit })
    if (column.thresholds !== undefined) {
      properties.push({ id: 'thresholds', value: column.thresholds.build() })
      properties.push({
        id: 'custom.cellOptions',
        value: { type: column.background === true ? 'color-background' : 'color-text' }
      })
    }
    if (column.mappings !== undefined) {
      properties.push({ id: 'mappings', value: column.mappings })
      if (column.thresholds === undefined) {
        properties.push({
          id: 'custom.cellOptions',
          value: { type: column.background === true ? 'color-background' : 'color-text' }
        })
      }
    }
    if (properties.length > 0) panel.overrideByName(column.name, properties)
  }
  return panel
}
