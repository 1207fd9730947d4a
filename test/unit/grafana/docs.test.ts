import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildDashboards } from '../../../grafana/src/index.js'
import { REPO_ROOT } from '../../helpers/environment.js'
import { readAlertRules } from '../prometheus/contract.js'

const doc = readFileSync(resolve(REPO_ROOT, 'docs/dashboards-and-alerts.md'), 'utf8')

/** Table rows of the doc as cells, for exact matching of panel titles. */
const rows = doc
  .split('\n')
  .filter((line) => line.startsWith('|'))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim())
  )

describe('docs/dashboards-and-alerts.md', () => {
  for (const g of buildDashboards()) {
    it(`lists every panel of ${g.title} with its row`, () => {
      expect(doc).toContain(`### ${g.title}`)
      let row = ''
      for (const panel of g.dashboard.panels ?? []) {
        if (panel.type === 'row') {
          row = panel.title ?? ''
          continue
        }
        const listed = rows.some((cells) => cells[0] === row && cells[1] === panel.title)
        expect(listed, `${row} / ${panel.title ?? ''}`).toBe(true)
      }
    })
  }

  it('lists every alert rule with its severity', () => {
    for (const rule of readAlertRules()) {
      const listed = rows.some((cells) => cells[0] === rule.alert && cells[3] === rule.labels?.['severity'])
      expect(listed, `${rule.alert} ${rule.labels?.['severity'] ?? ''}`).toBe(true)
    }
  })
})
