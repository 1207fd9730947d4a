import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { resolve } from 'node:path'
import { REPO_ROOT } from '../helpers/environment.js'
import { freePort } from '../helpers/free-port.js'
import { sleep } from './support.js'

export const CLI = resolve(REPO_ROOT, 'dist/cli.js')

export interface ExporterProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Base URL (https when a web config file is given). */
  readonly url: string
  /** Everything written to stderr so far (JSON log lines). */
  stderr(): string
  /** Resident set size from /proc (Linux), in bytes; null where /proc is absent. */
  rss(): number | null
  /** Sends `signal` and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>
}

/**
 * `node dist/cli.js run ...` as a child process, its own RSS separate from the test runner's. `dist/` is
 * built by `npm test`'s pretest step (npm run build).
 */
export async function spawnExporter(
  args: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<ExporterProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does it first)`)
  const port = await freePort()
  const tls = args.some((arg) => arg.startsWith('--web.config.file'))
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`
  const child = spawn(process.execPath, [CLI, 'run', `--web.listen-address=127.0.0.1:${port}`, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  child.stdout.resume()
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  // Listening comes after the first render; the port is taken once the process serves it.
  const deadline = Date.now() + 20_000
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the exporter did not start (exit ${child.exitCode}): ${stderr.slice(-2000)}`)
    }
    await sleep(50)
  }
  const pid = child.pid!
  return {
    child,
    pid,
    url,
    stderr: () => stderr,
    rss() {
      const path = `/proc/${pid}/status`
      if (!existsSync(path)) return null
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(path, 'utf8'))
      return match?.[1] === undefined ? null : Number(match[1]) * 1024
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      const started = Date.now()
      if (child.exitCode === null) child.kill(signal)
      const code = await Promise.race([exited, sleep(timeoutMs).then(() => 'timeout' as const)])
      if (code === 'timeout') {
        child.kill('SIGKILL')
        throw new Error(
          `the exporter did not exit within ${timeoutMs} ms of ${signal}: ${stderr.slice(-2000)}`
        )
      }
      return { code, ms: Date.now() - started }
    }
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
