/**
 * The suite as a plain clone runs it: without ../shared beside the repository. Every test file that reads
 * the shared reference data runs in a child vitest with CCE_SHARED_DIR pointing at an empty folder; its
 * shared tests must skip (and say so), its other tests must still pass, and with CI=true the same run must
 * fail on the missing folder.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/environment.js'

const scratch = mkdtempSync(join(tmpdir(), 'cce-without-shared-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Test files that call sharedFile, found by reading them, so a new one is checked without a list to keep. */
function sharedReadingFiles(): string[] {
  const self = relative(REPO_ROOT, new URL(import.meta.url).pathname)
  return readdirSync(join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join('test', name))
    .filter((file) => file !== self && /\bsharedFile\(/.test(readFileSync(join(REPO_ROOT, file), 'utf8')))
    .sort()
}

interface JsonReport {
  numFailedTests: number
  numPassedTests: number
  numPendingTests: number
  testResults: { name: string; status: string; message: string; assertionResults: { status: string }[] }[]
}

function vitest(files: string[], env: Record<string, string | undefined>, report: string) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CCE_SHARED_DIR: join(scratch, 'no-shared-here') }
  delete childEnv['CI']
  for (const name of Object.keys(childEnv)) if (name.startsWith('VITEST')) delete childEnv[name]
  Object.assign(childEnv, env)
  return spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...files
    ],
    { cwd: REPO_ROOT, env: childEnv, encoding: 'utf8', timeout: 240_000 }
  )
}

describe('the suite without ../shared', () => {
  const files = sharedReadingFiles()

  it('finds the test files that read ../shared', () => {
    expect(files).toContain('test/unit/collectors/org-metrics/reader.test.ts')
    expect(files.length).toBeGreaterThanOrEqual(6)
  })

  it('skips their shared tests loudly and runs the rest of them', { timeout: 300_000 }, () => {
    const reportPath = join(scratch, 'report.json')
    const run = vitest(files, {}, reportPath)
    expect(run.status, `${run.stdout}\n${run.stderr}`.slice(-4000)).toBe(0)
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport
    expect(report.testResults.map((r) => relative(REPO_ROOT, r.name)).sort()).toEqual(files)
    for (const result of report.testResults) {
      const file = relative(REPO_ROOT, result.name)
      expect(result.message, file).toBe('')
      expect(
        result.assertionResults.some((a) => a.status === 'skipped' || a.status === 'pending'),
        `${file} skips its shared tests`
      ).toBe(true)
    }
    expect(report.numFailedTests).toBe(0)
    expect(report.numPendingTests).toBeGreaterThan(0)
    // The fixture tests of the reader, chunk and fuzz files need no capture and still run.
    for (const file of [
      'test/unit/collectors/org-metrics/reader.test.ts',
      'test/unit/collectors/org-metrics/reader-chunks.test.ts',
      'test/fuzz/prom-text.fuzz.test.ts'
    ]) {
      const result = report.testResults.find((r) => relative(REPO_ROOT, r.name) === file)
      expect(result?.assertionResults.filter((a) => a.status === 'passed').length, file).toBeGreaterThan(2)
    }
    const warnings = `${run.stdout}\n${run.stderr}`.match(/SKIP: .*no-shared-here.* not found/g) ?? []
    expect(warnings.length).toBeGreaterThanOrEqual(files.length)
  })

  it('fails in CI, naming the missing folder', { timeout: 120_000 }, () => {
    const reportPath = join(scratch, 'ci-report.json')
    const run = vitest(files.slice(0, 1), { CI: 'true' }, reportPath)
    expect(run.status).not.toBe(0)
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JsonReport
    expect(report.testResults[0]?.message).toMatch(/no-shared-here.* is missing: CI must have/)
  })
})
