/**
 * The npm package as a user gets it: `npm pack` of the built tree, its file list, then an install of the
 * tarball into an empty project (production dependencies only) and the `cratedb-cloud-exporter` bin run
 * through npx. Needs `npm run build` first (the package ships dist/).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/environment.js'

const scratch = mkdtempSync(join(tmpdir(), 'cce-npm-pack-'))
const project = join(scratch, 'project')
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
}

/** The parent `npm test` exports its lifecycle and package variables; a nested npm must not see them. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_(lifecycle|package|command|config_(prefix|global))/i.test(name)
    )
  )
}

function npm(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', timeout: 300_000 })
}

let files: string[] = []
let tarball = ''

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` first')
  // Scripts are skipped so packing never rebuilds dist/ under other tests that run it.
  const packed = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], REPO_ROOT)
  expect(packed.status, packed.stderr).toBe(0)
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]
  files = info!.files.map((file) => file.path).sort()
  tarball = join(scratch, info!.filename)
  const started = performance.now()
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-check', private: true }) + '\n')
  const installed = npm(['install', '--prefer-offline', '--no-fund', '--no-audit', tarball], project)
  expect(installed.status, installed.stderr).toBe(0)
  console.log(
    `packed ${files.length} files, installed in ${((performance.now() - started) / 1000).toFixed(1)}s`
  )
}, 600_000)

afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('npm package', () => {
  it('ships the CLI, the dashboards, provisioning and alert rules, README and LICENSE', () => {
    expect(files).toContain('package.json')
    expect(files).toContain('dist/cli.js')
    expect(files).toContain('README.md')
    expect(files).toContain('LICENSE')
    for (const dir of [
      'grafana/dashboards',
      'grafana/provisioning/datasources',
      'grafana/provisioning/dashboards',
      'prometheus/rules',
      // the README links these
      'docs'
    ]) {
      const expected = readdirSync(join(REPO_ROOT, dir)).map((name) => `${dir}/${name}`)
      expect(expected.length, dir).toBeGreaterThan(0)
      for (const path of expected) expect(files, path).toContain(path)
    }
  })

  it('leaves out sources, tests, CI, deployment and benchmark files', () => {
    const unwanted = files.filter((path) =>
      /^(src|test|\.ci|deploy|bench|grafana\/src|prometheus\/tests|node_modules)\/|\.test\.|^\.|^tsconfig|^vitest|^eslint/.test(
        path
      )
    )
    expect(unwanted).toEqual([])
  })

  it('installs the bin without dev dependencies', () => {
    const installed = join(project, 'node_modules')
    expect(existsSync(join(installed, packageJson.name, 'dist', 'cli.js'))).toBe(true)
    expect(existsSync(join(installed, '.bin', 'cratedb-cloud-exporter'))).toBe(true)
    for (const dev of ['typescript', 'vitest', 'eslint'])
      expect(existsSync(join(installed, dev)), dev).toBe(false)
  })

  it('runs `npx cratedb-cloud-exporter --help` from the installed package', () => {
    const result = spawnSync('npx', ['cratedb-cloud-exporter', '--help'], {
      cwd: project,
      env: npmEnv(),
      encoding: 'utf8'
    })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^usage: cratedb-cloud-exporter /)
    const version = spawnSync('npx', ['cratedb-cloud-exporter', '--version'], {
      cwd: project,
      env: npmEnv(),
      encoding: 'utf8'
    })
    expect(version.stdout.trim()).toBe(`cratedb-cloud-exporter ${packageJson.version}`)
  })

  it.each(['run', 'simulate', 'demo'])('prints the usage of `%s --help`', (command) => {
    const result = spawnSync('npx', ['cratedb-cloud-exporter', command, '--help'], {
      cwd: project,
      env: npmEnv(),
      encoding: 'utf8'
    })
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toContain(`usage: cratedb-cloud-exporter ${command}`)
  })
})
