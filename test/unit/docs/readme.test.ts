import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { API_ERROR_REASONS } from '../../../src/cloud/errors.js'
import { families } from '../../../src/metrics/catalogue.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import { registerShardMetrics } from '../../../src/metrics/shard-metrics.js'
import { REPO_ROOT } from '../../helpers/environment.js'

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('README', () => {
  it('documents only node commands that start: its flags and its NODE_OPTIONS', () => {
    // `node <flags> dist/cli.js` and NODE_OPTIONS="<flags>" as written in the README, tried with -e.
    const commandLines = [...readme.matchAll(/`node ((?:--[\w-]+(?:=\S+)? )+)dist\/cli\.js[^`]*`/g)].map(
      (match) => match[1]!.trim().split(' ')
    )
    const nodeOptions = [...readme.matchAll(/NODE_OPTIONS="([^"]+)"/g)].map((match) => match[1]!)
    expect(commandLines.length).toBeGreaterThan(0)
    for (const flags of commandLines) {
      const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' })
      expect({ flags, status: run.status, stderr: run.stderr }).toEqual({ flags, status: 0, stderr: '' })
    }
    for (const options of nodeOptions) {
      const run = spawnSync(process.execPath, ['-e', '0'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: options }
      })
      expect({ options, status: run.status, stderr: run.stderr }).toEqual({ options, status: 0, stderr: '' })
    }
  })

  it('lists every metric family the collectors expose', () => {
    const missing = Object.values(families)
      .map((family) => family.name)
      .filter((name) => !readme.includes(`\`${name}\``))
    expect(missing).toEqual([])
  })

  it("lists every one of the exporter's own metrics", async () => {
    const registry = new Registry()
    createSelfMetrics({ registry, version: 'x', revision: 'x' })
    registerShardMetrics(registry, { total: 1, ordinal: 0 })
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name)
    expect(names.length).toBeGreaterThan(10)
    expect(names.filter((name) => !readme.includes(name))).toEqual([])
  })

  it('documents every error code the source defines', () => {
    const codes = new Set<string>()
    for (const file of [
      ...sourceFiles(join(REPO_ROOT, 'src')),
      join(REPO_ROOT, 'deploy/generate-prometheusrule.js')
    ]) {
      for (const match of readFileSync(file, 'utf8').matchAll(/['"`](CCE_[A-Z_]+)['"`]/g))
        codes.add(match[1] ?? '')
    }
    for (const reason of API_ERROR_REASONS) codes.add(`CCE_API_${reason.toUpperCase()}`)
    expect(codes.size).toBeGreaterThan(10)
    expect([...codes].filter((code) => !readme.includes(`\`${code}\``))).toEqual([])
  })

  it('documents every error reason', () => {
    expect(API_ERROR_REASONS.filter((reason) => !readme.includes(`| \`${reason}\` |`))).toEqual([])
  })

  it('starts with the two commands a newcomer runs', () => {
    const blocks = [...readme.matchAll(/```sh\n([^`]*)```/g)].map((match) => match[1]?.trim())
    expect(blocks.slice(0, 2)).toEqual(['npm ci && npm run demo', 'npm ci && npm test'])
  })
})
