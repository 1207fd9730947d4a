import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './free-port.js'

export { freePort }

export interface PromSample {
  readonly metric: Record<string, string>
  readonly value?: [number, string]
  readonly values?: [number, string][]
}

export interface PromAlert {
  readonly labels: Record<string, string>
  readonly annotations: Record<string, string>
  readonly state: 'pending' | 'firing' | 'inactive'
  /** RFC 3339 time since which the alert's expression has held without a break. */
  readonly activeAt: string
  readonly value: string
}

export interface PromTarget {
  readonly labels: Record<string, string>
  readonly health: 'up' | 'down' | 'unknown'
  readonly lastError: string
  readonly lastScrape: string
}

export interface RunningPrometheus {
  readonly url: string
  /** What Prometheus has written to stderr so far (for assertion messages). */
  logs(): string
  /** Instant query at `time` (seconds since epoch; default now). Throws on a PromQL error. */
  query(expr: string, time?: number): Promise<PromSample[]>
  /** Range query, as a Grafana time series panel sends it. Throws on a PromQL error. */
  queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<PromSample[]>
  /** Polls `expr` until `ready` holds; throws with the last result and Prometheus's log after `timeoutMs`. */
  eventually(
    expr: string,
    ready: (result: PromSample[]) => boolean,
    timeoutMs?: number
  ): Promise<PromSample[]>
  alerts(): Promise<PromAlert[]>
  targets(): Promise<PromTarget[]>
  close(): Promise<void>
}

export interface PrometheusOptions {
  /** Path of the prometheus binary (from externalTool('prometheus')). */
  readonly binary: string
  readonly jobName: string
  /** host:port of the scrape target. */
  readonly target: string
  /** Path scraped on the target; Prometheus's default is /metrics. */
  readonly metricsPath?: string
  readonly basicAuth?: { readonly username: string; readonly password: string }
  readonly scrapeIntervalSeconds?: number
  readonly evaluationIntervalSeconds?: number
  /** Absolute paths of rule files. */
  readonly ruleFiles?: readonly string[]
  /** Discover the targets from this http_sd URL (refreshed every second) instead of `target`. */
  readonly httpSdUrl?: string
}

interface ApiBody<T> {
  status: 'success' | 'error'
  data?: T
  error?: string
}

/** A real Prometheus on 127.0.0.1 with its configuration and TSDB in a temporary folder. */
export async function startTestPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'cce-prometheus-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const scrape = options.scrapeIntervalSeconds ?? 1
  const config = {
    global: {
      scrape_interval: `${scrape}s`,
      scrape_timeout: `${scrape}s`,
      evaluation_interval: `${options.evaluationIntervalSeconds ?? 1}s`
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      {
        job_name: options.jobName,
        ...(options.metricsPath === undefined ? {} : { metrics_path: options.metricsPath }),
        ...(options.basicAuth === undefined ? {} : { basic_auth: options.basicAuth }),
        ...(options.httpSdUrl === undefined
          ? { static_configs: [{ targets: [options.target] }] }
          : { http_sd_configs: [{ url: options.httpSdUrl, refresh_interval: '1s' }] })
      }
    ]
  }
  // JSON is YAML; no serializer needed.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2))
  let logs = ''
  const child: ChildProcess = spawn(
    options.binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  )
  child.stderr?.on('data', (chunk: Buffer) => {
    logs = (logs + chunk.toString('utf8')).slice(-20_000)
  })

  async function api<T>(path: string, params: Record<string, string>): Promise<T> {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString()
    })
    const body = (await response.json()) as ApiBody<T>
    if (body.status !== 'success' || body.data === undefined)
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? `HTTP ${response.status}`}`)
    return body.data
  }

  const ready = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited (${child.exitCode}): ${logs.slice(-2000)}`)
    const ok = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false
    )
    if (ok) break
    if (Date.now() > ready) throw new Error(`prometheus not ready after 30 s: ${logs.slice(-2000)}`)
    await sleep(100)
  }

  async function query(expr: string, time?: number): Promise<PromSample[]> {
    const params: Record<string, string> = { query: expr }
    if (time !== undefined) params['time'] = String(time)
    return (await api<{ result: PromSample[] }>('/api/v1/query', params)).result
  }

  return {
    url,
    logs: () => logs,
    query,
    async eventually(expr, ready, timeoutMs = 30_000) {
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
    },
    async queryRange(expr, startS, endS, stepS) {
      const params = { query: expr, start: String(startS), end: String(endS), step: String(stepS) }
      return (await api<{ result: PromSample[] }>('/api/v1/query_range', params)).result
    },
    async alerts() {
      const response = await fetch(`${url}/api/v1/alerts`)
      return ((await response.json()) as ApiBody<{ alerts: PromAlert[] }>).data?.alerts ?? []
    },
    async targets() {
      const response = await fetch(`${url}/api/v1/targets`)
      return ((await response.json()) as ApiBody<{ activeTargets: PromTarget[] }>).data?.activeTargets ?? []
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done))
        child.kill('SIGTERM')
        await Promise.race([exited, sleep(10_000)])
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface PromtoolResult {
  readonly status: number | null
  /** promtool's findings, one per line (it writes them to stderr). */
  readonly problems: string[]
  readonly output: string
}

/** `promtool check metrics` on an exposition in the text format. */
export function promtoolCheckMetrics(promtool: string, exposition: string): PromtoolResult {
  const run = spawnSync(promtool, ['check', 'metrics'], {
    input: exposition,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  const output = `${run.stdout}${run.stderr}`
  const problems = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  return { status: run.status, problems, output }
}
