/** Processes, ports and the image's Node.js version for the deployment tests. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'

const toolsRequired = process.env['CI'] === 'true' || process.env['CCE_REQUIRE_TOOLS'] === '1'

/**
 * Directory holding the `node` binary of the given major version, installed from the registry
 * package node-linux-<arch> into a cache outside the repository (never into package.json). Returns
 * undefined, loudly, when it cannot be installed on a developer's machine; in CI that is an error.
 */
export function nodeBinDir(major: number): string | undefined {
  if (`v${major}` === process.version.split('.')[0]) return undefined
  const cache = join(
    process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'),
    'cratedb-cloud-exporter',
    `node-${major}`
  )
  const pkg = `node-${process.platform}-${process.arch}`
  const bin = join(cache, 'node_modules', pkg, 'bin')
  if (!existsSync(join(bin, 'node'))) {
    mkdirSync(cache, { recursive: true })
    const installed = spawnSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-fund',
        '--no-audit',
        '--prefer-offline',
        '--prefix',
        cache,
        `${pkg}@${major}`
      ],
      { encoding: 'utf8', timeout: 300_000 }
    )
    if (installed.status !== 0 || !existsSync(join(bin, 'node'))) {
      const problem = `Node.js ${major} (${pkg}@${major}) could not be installed: ${installed.stderr}`
      if (toolsRequired) throw new Error(problem)
      console.warn(`SKIP: ${problem}; the replay uses Node.js ${process.version} instead`)
      return undefined
    }
  }
  const version = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim()
  if (!version.startsWith(`v${major}.`)) throw new Error(`${bin}/node is ${version}, expected v${major}`)
  return bin
}

/** The npmrc that this machine's npm reads globally (registry, CA file, proxy). */
export function hostNpmGlobalConfig(): string {
  return spawnSync('npm', ['config', 'get', 'globalconfig'], { encoding: 'utf8' }).stdout.trim()
}

export function withNodeOnPath(binDir: string | undefined, path = process.env['PATH'] ?? ''): string {
  return binDir === undefined ? path : `${binDir}${delimiter}${path}`
}

export interface Started {
  readonly child: ChildProcess
  output(): string
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>
}

export function start(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv }
): Started {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  )
  return { child, output: () => output, exited }
}

/** Polls `url` until it answers `status`, the process exits, or `timeoutMs` passes. */
export async function waitForStatus(
  url: string,
  status: number,
  started: Started,
  timeoutMs = 30_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  let ended = false
  void started.exited.then(() => (ended = true))
  while (Date.now() < deadline && !ended) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (response.status === status) return
      last = `HTTP ${response.status}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(
    `${url} did not answer ${status} (${ended ? 'process exited' : last}); output:\n${started.output()}`
  )
}

export async function stop(started: Started, timeoutMs = 10_000): Promise<number | string> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return started.exited
  started.child.kill('SIGTERM')
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs)
  try {
    return await started.exited
  } finally {
    clearTimeout(timer)
  }
}
