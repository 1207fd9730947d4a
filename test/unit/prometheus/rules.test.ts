import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { REPO_ROOT, externalTool } from '../../helpers/environment.js'
import { ALERTS_FILE, readAlertRules } from './contract.js'

const promtool = externalTool('promtool')
const TESTS_DIR = resolve(REPO_ROOT, 'prometheus/tests')
const testFiles = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => resolve(TESTS_DIR, f))

function run(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool ?? 'promtool', args, { encoding: 'utf8', cwd: REPO_ROOT })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[]
}

describe.skipIf(promtool === undefined)('Prometheus rules (promtool)', () => {
  it('pass promtool check rules', () => {
    const { status, output } = run(['check', 'rules', ALERTS_FILE])
    expect(output).toContain(`SUCCESS: ${readAlertRules().length} rules found`)
    expect(status).toBe(0)
  })

  it('pass promtool check config for the example configuration', () => {
    const { status, output } = run(['check', 'config', resolve(REPO_ROOT, 'prometheus/prometheus.yml')])
    expect(output).toContain('is valid prometheus config file syntax')
    expect(status).toBe(0)
  })

  it.each(testFiles.map((f) => [f.slice(TESTS_DIR.length + 1), f]))(
    'pass promtool test rules %s',
    (_name, file) => {
      const { status, output } = run(['test', 'rules', file])
      expect(output).toContain('SUCCESS')
      expect(output).not.toContain('FAILED')
      expect(status).toBe(0)
    }
  )
})

describe('promtool rule tests', () => {
  const cases = testFiles.flatMap((file) => {
    const document = parse(readFileSync(file, 'utf8')) as { tests: RuleTest[] }
    return document.tests.flatMap((t) => t.alert_rule_test ?? [])
  })

  it.each([...new Set(readAlertRules().map((r) => r.alert))])('show %s both firing and silent', (alert) => {
    const own = cases.filter((c) => c.alertname === alert)
    expect(own.some((c) => c.exp_alerts.length > 0)).toBe(true)
    expect(own.some((c) => c.exp_alerts.length === 0)).toBe(true)
  })
})
