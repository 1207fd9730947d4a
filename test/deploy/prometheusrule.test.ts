/**
 * deploy/kubernetes/prometheusrule.yaml is generated from prometheus/rules/*.yml: the committed file
 * must be exactly what the generator makes from the current rules, and its groups must load in
 * Prometheus (promtool check rules).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { REPO_ROOT, externalTool } from '../helpers/environment.js'
import { KUBERNETES_DIR, at, list, parseYaml11 } from './support/manifests.js'

const GENERATOR = join(REPO_ROOT, 'deploy', 'generate-prometheusrule.js')
const committed = readFileSync(join(KUBERNETES_DIR, 'prometheusrule.yaml'), 'utf8')
const scratch = mkdtempSync(join(tmpdir(), 'cce-prometheusrule-'))

function generate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [GENERATOR, '--stdout', ...args], { encoding: 'utf8' })
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('deploy/generate-prometheusrule.js', () => {
  it('produces the committed PrometheusRule from prometheus/rules (run it after changing a rule)', () => {
    const result = generate()
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(committed).toBe(result.stdout)
    expect(spawnSync(process.execPath, [GENERATOR, '--check'], { encoding: 'utf8' }).status).toBe(0)
  })

  it('puts another exporter job into the rules that select the exporter by job (--exporter-job)', () => {
    const result = generate('--exporter-job', 'monitoring/cratedb-cloud-exporter-sharded')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(
      'up{job="monitoring/cratedb-cloud-exporter-sharded"} == 0 or absent(up{job="monitoring/cratedb-cloud-exporter-sharded"})'
    )
    expect(result.stdout).not.toContain('job="cratedb-cloud-exporter"')
    expect(generate('--exporter-job', 'a b').stderr).toContain('letters, digits')
  })

  it('carries every group of every rule file, in file order', () => {
    const resource = parseYaml11(committed, 'prometheusrule.yaml')[0]!
    expect(resource['kind']).toBe('PrometheusRule')
    const rulesDir = join(REPO_ROOT, 'prometheus', 'rules')
    const expected = readdirSync(rulesDir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .flatMap((name) => list(parseYaml11(readFileSync(join(rulesDir, name), 'utf8'), name)[0]?.['groups']))
      .map((group) => group['name'])
    const names = list(at(resource, 'spec', 'groups')).map((group) => group['name'])
    expect(names).toEqual(expected)
    expect(names.length).toBeGreaterThan(0)
  })

  it('holds groups that promtool accepts', () => {
    const promtool = externalTool('promtool')
    if (promtool === undefined) return
    const resource = parseYaml11(committed, 'prometheusrule.yaml')[0]!
    const file = join(scratch, 'groups.yml')
    writeFileSync(file, stringify({ groups: at(resource, 'spec', 'groups') }))
    const result = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' })
    expect(result.stdout + result.stderr).toMatch(/SUCCESS: \d+ rules found/)
    expect(result.status).toBe(0)
  })

  it('refuses, with a clear message, a rules directory without rule files', () => {
    const empty = mkdtempSync(join(scratch, 'empty-'))
    const result = generate('--rules-dir', empty)
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/no rule files in .*\(\*\.yml\): nothing to generate/)
  })

  it('refuses a rule file without groups and a group name used twice', () => {
    const bad = mkdtempSync(join(scratch, 'bad-'))
    writeFileSync(join(bad, 'a.yml'), 'rules: []\n')
    expect(generate('--rules-dir', bad).stderr).toMatch(/a\.yml: expected a top-level "groups" list/)
    const twice = mkdtempSync(join(scratch, 'twice-'))
    const group = 'groups:\n  - name: same\n    rules: []\n'
    writeFileSync(join(twice, 'a.yml'), group)
    writeFileSync(join(twice, 'b.yml'), group)
    const result = generate('--rules-dir', twice)
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/b\.yml: group same is also in .*a\.yml/)
  })
})
