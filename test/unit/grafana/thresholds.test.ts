import { describe, expect, it } from 'vitest'
import { STORAGE_TREND_WINDOW } from '../../../grafana/src/thresholds.js'
import { THRESHOLDS, buildDashboards } from '../../../grafana/src/index.js'
import { alertRule, comparedNumber } from '../prometheus/contract.js'

interface Steps {
  steps: { value: number | null; color: string }[]
}
interface PanelJson {
  type: string
  title: string
  targets?: { expr: string; refId: string }[]
  fieldConfig?: {
    defaults?: { thresholds?: Steps }
    overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[]
  }
  transformations?: { id: string; options: { renameByName?: Record<string, string> } }[]
}

const panels = buildDashboards().flatMap((g) =>
  (g.dashboard.panels as PanelJson[]).map((p) => ({ dashboard: g.uid, panel: p }))
)

/** Threshold values (without the base step) of every field that shows a query matching `pattern`. */
function thresholdsFor(pattern: RegExp): { where: string; values: number[] }[] {
  const found: { where: string; values: number[] }[] = []
  const values = (t: Steps | undefined): number[] =>
    (t?.steps ?? []).map((s) => s.value).filter((v): v is number => v !== null)
  for (const { dashboard, panel } of panels) {
    const targets = (panel.targets ?? []).filter((t) => pattern.test(t.expr))
    if (targets.length === 0) continue
    if (panel.type !== 'table') {
      found.push({
        where: `${dashboard} / ${panel.title}`,
        values: values(panel.fieldConfig?.defaults?.thresholds)
      })
      continue
    }
    const renames = panel.transformations?.find((t) => t.id === 'organize')?.options.renameByName ?? {}
    for (const target of targets) {
      const column = renames[`Value #${target.refId}`]
      const override = panel.fieldConfig?.overrides?.find(
        (o) => o.matcher.id === 'byName' && o.matcher.options === column
      )
      const thresholds = override?.properties.find((p) => p.id === 'thresholds')?.value as Steps | undefined
      found.push({ where: `${dashboard} / ${panel.title} / ${column}`, values: values(thresholds) })
    }
  }
  return found
}

describe('THRESHOLDS', () => {
  it('equal the numbers of the alert rules', () => {
    expect(THRESHOLDS.storageWarningRatio).toBe(
      comparedNumber(alertRule('CrateDBCloudStorageAlmostFull', 'warning').expr)
    )
    expect(THRESHOLDS.storageCriticalRatio).toBe(
      comparedNumber(alertRule('CrateDBCloudStorageAlmostFull', 'critical').expr)
    )
    expect(THRESHOLDS.nodeStorageWarningRatio).toBe(
      comparedNumber(alertRule('CrateDBCloudNodeStorageHigh', 'warning').expr)
    )
    expect(THRESHOLDS.nodeStorageCriticalRatio).toBe(
      comparedNumber(alertRule('CrateDBCloudNodeStorageHigh', 'critical').expr)
    )
    expect(THRESHOLDS.cpuHighRatio).toBe(comparedNumber(alertRule('CrateDBCloudCpuHigh', 'warning').expr))
    expect(THRESHOLDS.dataStaleSeconds).toBe(
      comparedNumber(alertRule('CrateDBCloudExporterDataStale', 'critical').expr)
    )
  })

  it('equal the horizons and the 24-hour window of the storage forecast alerts', () => {
    const forecast = (severity: string) => {
      const m = /predict_linear\(cratedb_cloud_cluster_storage_used_bytes\[(\w+)\],\s*(\d+)\)/.exec(
        alertRule('CrateDBCloudStorageFillingUp', severity).expr
      )
      return { window: m?.[1], horizon: Number(m?.[2]) }
    }
    expect(forecast('critical')).toEqual({
      window: STORAGE_TREND_WINDOW,
      horizon: THRESHOLDS.storageFullCriticalSeconds
    })
    expect(forecast('warning').horizon).toBe(THRESHOLDS.storageFullWarningSeconds)
  })
})

describe('dashboard thresholds', () => {
  it('of every storage utilization field match the storage alerts', () => {
    const warning = comparedNumber(alertRule('CrateDBCloudStorageAlmostFull', 'warning').expr)
    const critical = comparedNumber(alertRule('CrateDBCloudStorageAlmostFull', 'critical').expr)
    const fields = thresholdsFor(/cratedb_cloud_cluster_storage_utilization_ratio/)
    expect(fields.length).toBeGreaterThanOrEqual(5)
    for (const field of fields) expect(field.values, field.where).toEqual([warning, critical])
  })

  it('of every per-node storage utilization field match the node storage alerts', () => {
    const warning = comparedNumber(alertRule('CrateDBCloudNodeStorageHigh', 'warning').expr)
    const critical = comparedNumber(alertRule('CrateDBCloudNodeStorageHigh', 'critical').expr)
    const fields = thresholdsFor(/cratedb_cloud_node_storage_used_bytes\{[^}]*\}\s*\//)
    expect(fields.map((f) => f.where)).toEqual(['cratedb-cloud-cluster / Storage utilization per node'])
    for (const field of fields) expect(field.values, field.where).toEqual([warning, critical])
  })

  it('of the per-node panel divide by the same guarded capacity as the node storage alerts', () => {
    const alert = alertRule('CrateDBCloudNodeStorageHigh', 'critical').expr.replace(/\s+/g, ' ')
    expect(alert).toContain(
      'cratedb_cloud_node_storage_used_bytes / (cratedb_cloud_node_storage_capacity_bytes > 0)'
    )
    const panel = panels.find((p) => p.panel.title === 'Storage utilization per node')?.panel
    expect(panel?.targets?.map((t) => t.expr.replace(/\{[^}]*\}/g, ''))).toEqual([
      'cratedb_cloud_node_storage_used_bytes / (cratedb_cloud_node_storage_capacity_bytes > 0)'
    ])
  })

  it('of every time-until-full field match the forecast horizons', () => {
    const fields = thresholdsFor(/deriv\(cratedb_cloud_cluster_storage_used_bytes/)
    expect(fields.length).toBeGreaterThanOrEqual(3)
    for (const field of fields) {
      expect(field.values, field.where).toEqual([
        THRESHOLDS.storageFullCriticalSeconds,
        THRESHOLDS.storageFullWarningSeconds
      ])
    }
  })

  it('of the flood stage forecast match the horizons of its alert', () => {
    expect(THRESHOLDS.floodStageWarningSeconds).toBe(
      comparedNumber(alertRule('CrateDBCloudNodeFloodStageForecast', 'warning').expr.replace('<', '>'))
    )
    expect(THRESHOLDS.floodStageCriticalSeconds).toBe(
      comparedNumber(alertRule('CrateDBCloudNodeFloodStageForecast', 'critical').expr.replace('<', '>'))
    )
    const fields = thresholdsFor(/0\.95 \* \(cratedb_cloud_node_storage_capacity_bytes/)
    expect(fields.map((f) => f.where)).toEqual([
      'cratedb-cloud-cluster / Time until a node reaches the flood stage'
    ])
    for (const field of fields)
      expect(field.values, field.where).toEqual([
        THRESHOLDS.floodStageCriticalSeconds,
        THRESHOLDS.floodStageWarningSeconds
      ])
  })

  it('of every CPU utilization field match the CPU alert', () => {
    const high = comparedNumber(alertRule('CrateDBCloudCpuHigh', 'warning').expr)
    const fields = thresholdsFor(/cpu_utilization_ratio/)
    expect(fields.length).toBeGreaterThanOrEqual(4)
    for (const field of fields) expect(field.values, field.where).toEqual([high])
  })

  it('of the data age panel match the staleness alert', () => {
    const fields = thresholdsFor(/cratedb_cloud_collector_last_success_timestamp_seconds/)
    expect(fields).toHaveLength(1)
    expect(fields[0]?.values).toEqual([
      comparedNumber(alertRule('CrateDBCloudExporterDataStale', 'critical').expr)
    ])
  })
})
