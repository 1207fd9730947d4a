// The simulator and the exporter as child processes, as a user runs them.
/* global fetch */
import { once } from 'node:events'
import { join } from 'node:path'
import process from 'node:process'
import { createInterface } from 'node:readline'
import { benchEnv } from './exporter-parts.js'
import { freePort } from './nginx.js'
import { ROOT } from './payloads.js'
import { start, waitForHttp } from './processes.js'
import { sleep } from './stats.js'

/** Starts bench/lib/simulator-child.js with these startSimulator options; resolves { url, pid, stop }. */
export async function startSimulatorChild(options) {
  const child = start(process.execPath, [join(ROOT, 'bench/lib/simulator-child.js'), JSON.stringify(options)])
  const lines = createInterface({ input: child.child.stdout })
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line),
    child.exited.then(() => null)
  ])
  lines.close()
  if (first === null) throw new Error(`the simulator exited:\n${child.output()}`)
  return { url: JSON.parse(first).url, pid: child.pid, stop: () => child.stop() }
}

/**
 * Starts `node dist/cli.js run` against `apiUrl` with extra flags (name -> value) and waits for /readyz
 * only, on `node` (default: this process's Node.js). Resolves { url, pid, stop, output, running }.
 */
export async function spawnExporterChild(
  apiUrl,
  flags = {},
  { timeoutMs = 120_000, env = {}, node = process.execPath } = {}
) {
  const port = await freePort()
  const args = Object.entries({
    'web.listen-address': `127.0.0.1:${port}`,
    'api.url': apiUrl,
    'log.level': 'warn',
    'log.format': 'json',
    ...flags
  }).map(([name, value]) => `--${name}=${value}`)
  const child = start(node, [join(ROOT, 'dist/cli.js'), 'run', ...args], {
    env: { ...process.env, ...benchEnv, ...env }
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${url}/readyz`, { child, timeoutMs })
  } catch (error) {
    await child.stop()
    throw error
  }
  return { url, pid: child.pid, stop: () => child.stop(), output: child.output, running: child.running }
}

/**
 * spawnExporterChild, then waits for the org_metrics collector's first success (reading /metrics).
 * Resolves { url, pid, stop, output, running }.
 */
export async function startExporterChild(apiUrl, flags = {}, { timeoutMs = 120_000, env = {}, node } = {}) {
  const exporter = await spawnExporterChild(apiUrl, flags, { timeoutMs, env, node })
  await waitForCollector(exporter.url, 'org_metrics', 1, { child: exporter, timeoutMs })
  return exporter
}

/** Sum over organizations of a collector's series of `family` in the exporter's /metrics. */
export async function collectorValue(url, family, collector) {
  const text = await (await fetch(`${url}/metrics`)).text()
  const pattern = new RegExp(`^${family}\\{[^}]*collector="${collector}"[^}]*\\} (\\S+)$`, 'gm')
  let sum = null
  for (const match of text.matchAll(pattern)) sum = (sum ?? 0) + Number(match[1])
  return sum
}

/** Waits until the collector has succeeded (success gauge 1) and run at least `runs` times. */
export async function waitForCollector(url, collector, runs, { child, timeoutMs = 120_000 } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child !== undefined && !child.running()) throw new Error(`the exporter exited:\n${child.output()}`)
    const success = await collectorValue(url, 'cratedb_cloud_collector_success', collector)
    const done = await collectorValue(url, 'cratedb_cloud_collector_runs_total', collector)
    if (success !== null && success >= 1 && done !== null && done >= runs) return
    if (Date.now() > deadline) {
      throw new Error(`the ${collector} collector did not succeed ${runs} times in time`)
    }
    await sleep(200)
  }
}
