import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DASHBOARD_UIDS, buildDashboards, renderDashboard } from '../../../grafana/src/index.js'
import { REPO_ROOT } from '../../helpers/environment.js'

const DASHBOARDS_DIR = resolve(REPO_ROOT, 'grafana/dashboards')
/** `WRITE_DASHBOARDS=1 vitest run test/unit/grafana` regenerates the committed JSON instead of comparing it. */
const write = process.env['WRITE_DASHBOARDS'] === '1'
const generated = buildDashboards()

interface Json {
  [key: string]: unknown
}

/** Every object in a JSON tree, depth first. */
function* objects(value: unknown): Generator<Json> {
  if (Array.isArray(value)) {
    for (const item of value) yield* objects(item)
  } else if (typeof value === 'object' && value !== null) {
    yield value as Json
    for (const child of Object.values(value)) yield* objects(child)
  }
}

interface PanelJson {
  type: string
  title: string
  id: number
  datasource?: { type?: string; uid?: string }
  fieldConfig?: { defaults?: { unit?: string } }
  targets?: { expr: string; refId: string }[]
}

const panelsOf = (dashboard: unknown): PanelJson[] => (dashboard as { panels: PanelJson[] }).panels

describe('committed dashboards', () => {
  it.each(generated.map((g) => [g.file, g] as const))('%s equals what grafana/src generates', (file, g) => {
    const path = resolve(DASHBOARDS_DIR, file)
    const text = renderDashboard(g.dashboard)
    if (write) writeFileSync(path, text)
    expect(existsSync(path), `${path} is missing: run the dashboards script`).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe(text)
  })

  it('has no JSON file that the code does not generate', () => {
    const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))
    expect(files.sort()).toEqual(generated.map((g) => g.file).sort())
  })
})

describe('generated dashboards', () => {
  it('have the stable uids and distinct titles', () => {
    expect(generated.map((g) => g.uid)).toEqual([
      DASHBOARD_UIDS.overview,
      DASHBOARD_UIDS.cluster,
      DASHBOARD_UIDS.exporter
    ])
    expect(new Set(generated.map((g) => g.title)).size).toBe(3)
  })

  it.each(generated.map((g) => [g.uid, g] as const))(
    '%s: every datasource is the ${datasource} variable',
    (_uid, g) => {
      const refs = [...objects(g.dashboard)].map((o) => o['datasource']).filter((d) => d !== undefined)
      expect(refs.length).toBeGreaterThan(10)
      for (const ref of refs) expect(ref).toEqual({ type: 'prometheus', uid: '${datasource}' })
      const variables = g.dashboard.templating?.list ?? []
      expect(variables[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'prometheus' })
    }
  )

  it.each(generated.map((g) => [g.uid, g] as const))(
    '%s: panels have unique ids, titles and refIds',
    (_uid, g) => {
      const panels = panelsOf(g.dashboard)
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length)
      const titled = panels.filter((p) => p.type !== 'row').map((p) => p.title)
      expect(new Set(titled).size).toBe(titled.length)
      for (const panel of panels) {
        const refIds = (panel.targets ?? []).map((t) => t.refId)
        expect(
          refIds.every((r) => /^[A-Z]$/.test(r)),
          panel.title
        ).toBe(true)
        expect(new Set(refIds).size).toBe(refIds.length)
      }
    }
  )

  it.each(generated.map((g) => [g.uid, g] as const))('%s: uses only current panel types', (_uid, g) => {
    const types = new Set(panelsOf(g.dashboard).map((p) => p.type))
    for (const type of types) expect(['row', 'timeseries', 'stat', 'table', 'state-timeline']).toContain(type)
    expect(g.dashboard.schemaVersion).toBeGreaterThanOrEqual(39)
  })

  it.each(generated.map((g) => [g.uid, g] as const))(
    '%s: ratios, bytes and durations have units',
    (_uid, g) => {
      for (const panel of panelsOf(g.dashboard)) {
        if (panel.type !== 'timeseries' && panel.type !== 'stat') continue
        const exprs = (panel.targets ?? []).map((t) => t.expr)
        const unit = panel.fieldConfig?.defaults?.unit
        if (exprs.every((e) => /_ratio\b/.test(e))) expect(unit, panel.title).toBe('percentunit')
        // a quotient (bytes / bytes per second) has another unit
        const plain = exprs.every((e) => !e.includes('/'))
        if (plain && exprs.every((e) => /_bytes\b/.test(e))) expect(unit, panel.title).toBe('bytes')
        if (plain && exprs.every((e) => /_seconds\b/.test(e) && !/_timestamp_seconds\b/.test(e))) {
          expect(unit, panel.title).toBe('s')
        }
      }
    }
  )

  it('cluster dashboard selects one cluster by organization and name', () => {
    const cluster = generated.find((g) => g.uid === DASHBOARD_UIDS.cluster)
    const names = (cluster?.dashboard.templating?.list ?? []).map((v) => v.name)
    expect(names).toEqual(['datasource', 'organization', 'cluster', 'cluster_id', 'node'])
  })
})
