import {
  type DataSourceRef,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  VariableRefresh,
  VariableSort
} from '@grafana/grafana-foundation-sdk/dashboard'
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder
} from '@grafana/grafana-foundation-sdk/common'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline'
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries'
import { HEALTH_CODES, THRESHOLDS } from './thresholds.js'

/** Every panel and variable queries the datasource the user picked; no datasource uid is stored. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' }

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus')
}

export interface LabelVariableOptions {
  label: string
  /** A series selector, e.g. cratedb_cloud_cluster_info{organization_name=~"$organization"}. */
  selector: string
  labelName: string
  all?: boolean
}

export function labelVariable(name: string, options: LabelVariableOptions): QueryVariableBuilder {
  const variable = new QueryVariableBuilder(name)
    .label(options.label)
    .datasource(DATASOURCE)
    .query(`label_values(${options.selector}, ${options.labelName})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalCaseInsensitiveAsc)
  if (options.all === true) variable.multi(true).includeAll(true).allValue('.*')
  return variable
}

/** The organizations of the clusters exposed, multi-select with All: shared by the cluster dashboards. */
export function organizationVariable(): QueryVariableBuilder {
  return labelVariable('organization', {
    label: 'Organization',
    selector: 'cratedb_cloud_cluster_info',
    labelName: 'organization_name',
    all: true
  })
}

export function rangeQuery(expr: string, legend?: string): DataqueryBuilder {
  const query = new DataqueryBuilder().expr(expr).range()
  return legend === undefined ? query : query.legendFormat(legend)
}

export function instantQuery(expr: string, legend?: string): DataqueryBuilder {
  const query = new DataqueryBuilder().expr(expr).instant()
  return legend === undefined ? query : query.legendFormat(legend)
}

export function tableQuery(expr: string, refId: string): DataqueryBuilder {
  return new DataqueryBuilder().expr(expr).instant().format(PromQueryFormat.Table).refId(refId)
}

type Step = readonly [value: number | null, color: string]

export function thresholds(...steps: Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })))
}

export const storageUtilizationThresholds = (): ThresholdsConfigBuilder =>
  thresholds(
    [null, 'green'],
    [THRESHOLDS.storageWarningRatio, 'orange'],
    [THRESHOLDS.storageCriticalRatio, 'red']
  )

export const nodeStorageUtilizationThresholds = (): ThresholdsConfigBuilder =>
  thresholds(
    [null, 'green'],
    [THRESHOLDS.nodeStorageWarningRatio, 'orange'],
    [THRESHOLDS.nodeStorageCriticalRatio, 'red']
  )

export const cpuThresholds = (): ThresholdsConfigBuilder =>
  thresholds([null, 'green'], [THRESHOLDS.cpuHighRatio, 'red'])

/** Less time left is worse, so the colours run the other way. */
export const timeUntilFullThresholds = (): ThresholdsConfigBuilder =>
  thresholds(
    [null, 'red'],
    [THRESHOLDS.storageFullCriticalSeconds, 'orange'],
    [THRESHOLDS.storageFullWarningSeconds, 'green']
  )

export const floodStageThresholds = (): ThresholdsConfigBuilder =>
  thresholds(
    [null, 'red'],
    [THRESHOLDS.floodStageCriticalSeconds, 'orange'],
    [THRESHOLDS.floodStageWarningSeconds, 'green']
  )

export function valueText(entries: Record<string, readonly [text: string, color: string]>): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {}
  Object.entries(entries).forEach(([value, [text, color]], index) => {
    options[value] = { text, color, index }
  })
  return [{ type: MappingType.ValueToText, options }]
}

export const healthMappings = (): ValueMapping[] =>
  valueText({
    '0': ['no status', 'text'],
    ...Object.fromEntries(HEALTH_CODES.map((h) => [String(h.code), [h.status, h.color] as const]))
  })

/** One number per cluster: the code of the status whose state-set sample is 1 (see HEALTH_CODES). */
export function healthCode(matchers: string): string {
  const extra = matchers === '' ? '' : `, ${matchers}`
  const branches = HEALTH_CODES.map(
    (h) => `cratedb_cloud_cluster_health_status{status="${h.status}"${extra}} * ${h.code}`
  )
  return `max by (cluster_id, cluster_name) (${branches.join(' or ')})`
}

export interface PanelOptions {
  description?: string
  unit?: string
  thresholds?: ThresholdsConfigBuilder
  /** Draw the thresholds as dashed lines in a time series. */
  showThresholds?: boolean
  min?: number
  max?: number
  mappings?: ValueMapping[]
  /** Minimum query interval; counters the exporter updates once per poll need a window of two polls. */
  interval?: string
  noValue?: string
  width?: number
  height?: number
}

export function timeseries(title: string, targets: DataqueryBuilder[], options: PanelOptions = {}) {
  const panel = new TimeseriesPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets)
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .fillOpacity(10)
    .showPoints(VisibilityMode.Never)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom)
        .calcs([])
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
  if (options.description !== undefined) panel.description(options.description)
  if (options.unit !== undefined) panel.unit(options.unit)
  if (options.min !== undefined) panel.min(options.min)
  if (options.max !== undefined) panel.max(options.max)
  if (options.interval !== undefined) panel.interval(options.interval)
  if (options.thresholds !== undefined) panel.thresholds(options.thresholds)
  if (options.showThresholds === true) {
    panel.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed))
  }
  return panel
}

export function stat(title: string, targets: DataqueryBuilder[], options: PanelOptions = {}) {
  const panel = new StatPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets)
    .span(options.width ?? 4)
    .height(options.height ?? 4)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(BigValueGraphMode.None)
    .colorMode(options.thresholds === undefined ? BigValueColorMode.None : BigValueColorMode.Value)
    .textMode(BigValueTextMode.Auto)
  if (options.description !== undefined) panel.description(options.description)
  if (options.unit !== undefined) panel.unit(options.unit)
  if (options.thresholds !== undefined) panel.thresholds(options.thresholds)
  if (options.mappings !== undefined) panel.mappings(options.mappings)
  if (options.noValue !== undefined) panel.noValue(options.noValue)
  if (options.interval !== undefined) panel.interval(options.interval)
  return panel
}

/** A stat that shows a label of the series (plan, version, active key) instead of its value. */
export function labelStat(title: string, expr: string, legend: string, options: PanelOptions = {}) {
  return stat(title, [instantQuery(expr, legend)], options).textMode(BigValueTextMode.Name)
}

export function stateTimeline(title: string, targets: DataqueryBuilder[], options: PanelOptions = {}) {
  const panel = new StateTimelinePanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .targets(targets)
    .span(options.width ?? 12)
    .height(options.height ?? 8)
    .showValue(VisibilityMode.Never)
    .mergeValues(true)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List))
  if (options.description !== undefined) panel.description(options.description)
  if (options.mappings !== undefined) panel.mappings(options.mappings)
  if (options.thresholds !== undefined) panel.thresholds(options.thresholds)
  if (options.interval !== undefined) panel.interval(options.interval)
  return panel
}
