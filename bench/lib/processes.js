// Child processes of the benchmark: spawning, waiting for an HTTP answer, RSS, and stopping them by pid.
/* global fetch */
import { clearTimeout, setTimeout } from 'node:timers'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { sleep } from './stats.js'

/** Absolute path of `name` on PATH (or in /usr/sbin), or null. */
export function findTool(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name} || ls /usr/sbin/${name} 2>/dev/null`], {
    encoding: 'utf8'
  })
  const path = found.stdout.trim().split('\n')[0] ?? ''
  return path === '' ? null : path
}

/**
 * A Node.js 24 binary, the version the image ships, for the rows measured on it: CCE_NODE24 if set, this
 * process's own node if it is 24, else the one .ci/run installs in the user's cache; null if none.
 */
export function findNode24() {
  const given = process.env.CCE_NODE24
  if (given !== undefined && given !== '') return given
  if (process.version.startsWith('v24.')) return process.execPath
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')
  const cached = join(
    cache,
    'cratedb-cloud-exporter/node-24/node_modules',
    `node-linux-${process.arch}`,
    'bin/node'
  )
  return existsSync(cached) ? cached : null
}

/** First line of a tool's version output. */
export function toolVersion(command, args) {
  const out = spawnSync(command, args, { encoding: 'utf8' })
  return `${out.stdout}${out.stderr}`.trim().split('\n')[0] ?? ''
}

/**
 * Starts a child process; its output is kept (last 64 KiB) for error messages. `stop()` sends SIGTERM to
 * this pid only, then SIGKILL if it has not exited after `graceMs`.
 */
export function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-65536)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let done = false
  void exited.then(() => (done = true))
  return {
    pid: child.pid,
    child,
    exited,
    output: () => output,
    running: () => !done,
    async stop(graceMs = 10_000) {
      if (done) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}

/** Polls `url` until it answers with status `status` ('any': any answer), or throws after `timeoutMs`. */
export async function waitForHttp(url, { status = 200, timeoutMs = 30_000, child, headers } = {}) {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    if (child !== undefined && !child.running())
      throw new Error(`process for ${url} exited early:\n${child.output()}`)
    try {
      const response = await fetch(url, { headers })
      last = `HTTP ${response.status}`
      await response.arrayBuffer()
      if (status === 'any' || response.status === status) return
    } catch (error) {
      last = String(error)
    }
    if (Date.now() > deadline) {
      const tail = child === undefined ? '' : `\n${child.output()}`
      throw new Error(`timed out waiting for ${url} (${last})${tail}`)
    }
    await sleep(100)
  }
}

/** Resident set size and its high-water mark of a process, in bytes, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
    return match === null ? NaN : Number(match[1]) * 1024
  }
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are
  // the 12th and 13th of them, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0
