import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { externalTool } from '../helpers/environment.js'
import { freePort, sleep } from './support.js'

export interface VectorResult {
  metric: Record<string, string>
  value: [number, string]
}

export interface RunningPrometheus {
  query(expr: string): Promise<VectorResult[]>
  /** Polls `expr` until `ready` holds; throws with Prometheus's log after `timeoutMs`. */
  eventually(
    expr: string,
    ready: (result: VectorResult[]) => boolean,
    timeoutMs?: number
  ): Promise<VectorResult[]>
  /** Waits until `count` samples of `metric` have been scraped (range query over the last minute). */
  waitForSamples(metric: string, count: number): Promise<void>
  close(): Promise<void>
}

/**
 * A real Prometheus scraping `target` (host:port) every second as job "cratedb-cloud-exporter", the job
 * name the alert rules assume. undefined when Prometheus is not installed (the caller skips its checks).
 */
export async function startPrometheus(
  target: string,
  parentDir: string
): Promise<RunningPrometheus | undefined> {
  const binary = externalTool('prometheus')
  if (binary === undefined) return undefined
  const dir = mkdtempSync(join(parentDir, 'prometheus-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      "  - job_name: 'cratedb-cloud-exporter'",
      '    static_configs:',
      `      - targets: ['${target}']`,
      ''
    ].join('\n')
  )
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  let logs = ''
  child.stderr?.on('data', (chunk: Buffer) => (logs = (logs + chunk.toString('utf8')).slice(-4000)))

  async function query(expr: string): Promise<VectorResult[]> {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)
    const body = (await response.json()) as {
      status: string
      error?: string
      data?: { result: VectorResult[] }
    }
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error ?? body.status}`)
    return body.data?.result ?? []
  }

  async function eventually(
    expr: string,
    ready: (result: VectorResult[]) => boolean,
    timeoutMs = 30_000
  ): Promise<VectorResult[]> {
    const deadline = Date.now() + timeoutMs
    let last: unknown = null
    while (Date.now() < deadline) {
      try {
        const result = await query(expr)
        if (ready(result)) return result
        last = result
      } catch (error) {
        last = error instanceof Error ? error.message : error
      }
      await sleep(250)
    }
    throw new Error(
      `${expr}: not ready, last ${JSON.stringify(last).slice(0, 300)}; prometheus: ${logs.slice(-1500)}`
    )
  }

  return {
    query,
    eventually,
    async waitForSamples(metric, count) {
      await eventually(`count_over_time(${metric}[1m])`, (r) => r.some((s) => Number(s.value[1]) >= count))
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await Promise.race([exited, sleep(10_000)])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
