import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * ../shared/cratedb-cloud beside the repository: real reference data that the repository does not copy.
 * CCE_SHARED_DIR names another folder in place of ../shared, so a run can see the suite as a plain clone does.
 */
export const SHARED_CRATEDB_CLOUD = resolve(
  process.env['CCE_SHARED_DIR'] ?? resolve(REPO_ROOT, '../shared'),
  'cratedb-cloud'
)

const inCi = process.env['CI'] === 'true'
/** Set by .ci/run: a missing tool (prometheus, promtool, chromium) fails the test instead of skipping it. */
const toolsRequired = inCi || process.env['CCE_REQUIRE_TOOLS'] === '1'

/**
 * Path of a file in ../shared/cratedb-cloud, or undefined (test skips) when the folder is absent on a
 * developer's machine. In CI its absence is an error. Only checks that the file exists, so a test file may
 * call it while vitest collects it; the file itself is read in beforeAll or in a test.
 */
export function sharedFile(name: string): string | undefined {
  const path = resolve(SHARED_CRATEDB_CLOUD, name)
  if (existsSync(path)) return path
  if (inCi) throw new Error(`${path} is missing: CI must have ../shared/cratedb-cloud beside the repository`)
  console.warn(`SKIP: ${path} not found (tests that read the real CrateDB Cloud reference data are skipped)`)
  return undefined
}

/**
 * Absolute path of an external program (prometheus, promtool, chromium), or undefined when it is not
 * installed and tools are not required (the test then skips, loudly). With CI=true or CCE_REQUIRE_TOOLS=1
 * a missing program throws.
 */
export function externalTool(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  const path = found.stdout.trim()
  if (found.status === 0 && path !== '') return path
  if (toolsRequired) throw new Error(`${name} is not installed; .ci/run installs it (apt-get install)`)
  console.warn(`SKIP: ${name} is not installed; install it to run this test (it is mandatory in CI)`)
  return undefined
}

/** The compiled CLI, which is what users run; built first when a checkout has none yet. */
export const CLI = resolve(REPO_ROOT, 'dist/cli.js')

export function ensureBuiltCli(): string {
  if (!existsSync(CLI))
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'ignore' })
  return CLI
}
