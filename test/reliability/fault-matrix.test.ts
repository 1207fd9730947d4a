import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiErrorReason } from '../../src/cloud/errors.js'
import { DEFAULT_RETRY_POLICY } from '../../src/cloud/retry.js'
import { parseFaultRule } from '../../src/simulator/index.js'
import { startTestExporter, waitFor, type TestExporter } from '../helpers/exporter.js'
import { firstCredential, startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'
import {
  CLUSTERS_ROUTE,
  ORG_METRICS_ROUTE,
  countCalls,
  promtoolCheck,
  scrapeExposition,
  type Scraped
} from './support.js'

/**
 * Every fault the API can show, one row each, against the real exporter over loopback: the process stays
 * up, /metrics stays valid, the error has the right reason, the last good data is kept until the
 * staleness limit and then withdrawn, retries stay inside the run's budget, and data returns within one
 * interval once the fault clears. Rows run concurrently, each with its own simulator and exporter.
 */

const INTERVAL_S = 1
const STALENESS_INTERVALS = 3
const ORGANIZATIONS_ROUTE = '/api/v2/organizations/'
const METRICS_LIMIT = 3_000_000
const JSON_LIMIT = 200_000

type Target = 'org_metrics' | 'inventory'

interface RowContext {
  readonly sim: RunningSimulator
}

interface Row {
  readonly name: string
  /** Expected reason of cratedb_cloud_api_errors_total; null: the fault is tolerated, no error. */
  readonly reason: ApiErrorReason | null
  /** The collector whose data the fault withdraws. */
  readonly target: Target
  /** Route whose calls are counted, and where the error is counted. */
  readonly route: string
  /** Most requests to `route` that one run may send (retries included). */
  readonly perRun: number
  /** The Retry-After (s) the collector waits out before its next request, instead of one interval. */
  readonly retryAfterS?: number
  readonly yaml?: string
  readonly flags?: Record<string, string>
  apply(context: RowContext): void
  clear(context: RowContext): void
}

function simFault(rule: string): Pick<Row, 'apply' | 'clear'> {
  return {
    apply: ({ sim }) => sim.state.setFaults([parseFaultRule(rule)]),
    clear: ({ sim }) => sim.state.setFaults([])
  }
}

function refuseKey(authFailure: 401 | 302): Pick<Row, 'apply' | 'clear'> {
  return {
    apply: ({ sim }) => {
      sim.state.settings.authFailure = authFailure
      sim.state.deactivateCredential(firstCredential(sim).key)
    },
    clear: ({ sim }) => {
      const { key, secret } = firstCredential(sim)
      sim.state.addCredential(key, secret)
    }
  }
}

const RETRIED = DEFAULT_RETRY_POLICY.maxAttempts
const M = ORG_METRICS_ROUTE
const C = CLUSTERS_ROUTE

const ROWS: readonly Row[] = [
  ...([500, 502, 503, 504] as const).map((status): Row => ({
    name: `HTTP ${status}`,
    reason: 'server',
    target: 'org_metrics',
    route: M,
    perRun: RETRIED,
    ...simFault(`${M}=*${status}`)
  })),
  {
    // Longer than the run's deadline (the interval): not retried inside the run, and the next
    // request waits it out.
    name: 'HTTP 429 with a Retry-After beyond the deadline',
    reason: 'throttled',
    target: 'org_metrics',
    route: M,
    perRun: 1,
    retryAfterS: 2,
    ...simFault(`${M}=*429:2`)
  },
  {
    name: 'HTTP 429 without Retry-After',
    reason: 'throttled',
    target: 'org_metrics',
    route: M,
    perRun: RETRIED,
    ...simFault(`${M}=*429:none`)
  },
  {
    name: 'latency above the request timeout',
    reason: 'timeout',
    target: 'inventory',
    route: C,
    perRun: RETRIED,
    flags: { 'api.timeout': '300ms' },
    ...simFault(`${C}=*latency:2000`)
  },
  {
    name: 'connection reset',
    reason: 'network',
    target: 'org_metrics',
    route: M,
    perRun: RETRIED,
    ...simFault(`${M}=*reset`)
  },
  {
    name: 'a body sent slowly',
    reason: 'timeout',
    target: 'org_metrics',
    route: M,
    perRun: RETRIED,
    ...simFault(`${M}=*slow:1500`)
  },
  {
    name: 'a truncated org metrics body',
    reason: 'network',
    target: 'org_metrics',
    route: M,
    perRun: RETRIED,
    // The simulator announces 10 GiB for a cut stream; a larger limit lets the cut itself be seen.
    yaml: 'api:\n  max_metrics_response_bytes: 20000000000\n',
    ...simFault(`${M}=*truncate`)
  },
  {
    name: 'a truncated JSON body',
    reason: 'network',
    target: 'inventory',
    route: C,
    perRun: RETRIED,
    ...simFault(`${C}=*truncate`)
  },
  {
    name: 'malformed JSON',
    reason: 'decode',
    target: 'inventory',
    route: C,
    perRun: 1,
    ...simFault(`${C}=*malformed`)
  },
  {
    name: 'a Prometheus body with garbage lines',
    reason: null,
    target: 'org_metrics',
    route: M,
    perRun: 1,
    ...simFault(`${M}=*malformed`)
  },
  ...(['garbage', 'empty', 'html', 'cut-line'] as const).map((body): Row => ({
    name: `HTTP 200 without data: ${body}`,
    reason: 'decode',
    target: 'org_metrics',
    route: M,
    perRun: 1,
    ...simFault(`${M}=*${body}`)
  })),
  {
    name: 'an oversize org metrics body',
    reason: 'decode',
    target: 'org_metrics',
    route: M,
    perRun: 1,
    yaml: `api:\n  max_metrics_response_bytes: ${METRICS_LIMIT}\n`,
    ...simFault(`${M}=*oversize:${2 * METRICS_LIMIT}`)
  },
  {
    name: 'an oversize JSON body',
    reason: 'decode',
    target: 'inventory',
    route: C,
    perRun: 1,
    yaml: `api:\n  max_response_bytes: ${JSON_LIMIT}\n`,
    ...simFault(`${C}=*oversize:${2 * JSON_LIMIT}`)
  },
  {
    name: 'HTTP 204 where JSON is expected',
    reason: 'decode',
    target: 'inventory',
    route: C,
    perRun: 1,
    ...simFault(`${C}=*204`)
  },
  {
    name: 'HTTP 401 (key deactivated)',
    reason: 'auth',
    target: 'inventory',
    route: ORGANIZATIONS_ROUTE,
    perRun: 1,
    ...refuseKey(401)
  },
  {
    name: 'HTTP 403',
    reason: 'auth',
    target: 'org_metrics',
    route: M,
    perRun: 1,
    ...simFault(`${M}=*403`)
  },
  {
    name: 'HTTP 302 to the login page',
    reason: 'auth',
    target: 'inventory',
    route: ORGANIZATIONS_ROUTE,
    perRun: 1,
    ...refuseKey(302)
  }
]

const TARGET_FAMILY: Record<Target, string> = {
  org_metrics: 'cratedb_cloud_node_cpu_seconds_total',
  inventory: 'cratedb_cloud_cluster_info'
}
const OTHER: Record<Target, Target> = { org_metrics: 'inventory', inventory: 'org_metrics' }

let dir = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cce-fault-matrix-'))
})
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

function expectValid(scraped: Scraped, when: string): void {
  expect(scraped.parsed.invalid.count, `${when}: invalid lines in /metrics`).toBe(0)
  const checked = promtoolCheck(scraped.text)
  if (checked !== null) expect(checked, `${when}: promtool check metrics`).toEqual({ status: 0, output: '' })
}

function errorsOf(scraped: Scraped, route: string, reason: string): number {
  return scraped.value('cratedb_cloud_api_errors_total', { endpoint: route, reason }) ?? 0
}

function collector(scraped: Scraped, name: string, target: Target): number | undefined {
  return scraped.value(name, { collector: target })
}

describe.concurrent('fault matrix', () => {
  it.each(ROWS.map((row) => [row.name, row]))('%s', { timeout: 60_000 }, async (_name, row) => {
    const sim = await startTestSimulator({
      scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 1, clusters: 3 },
      settings: { rateLimitWindowMs: 100 }
    })
    const calls = countCalls(sim)
    const callsTo = (): number => calls.count(row.route)
    const flags: Record<string, string> = {
      'collector.org_metrics.interval': `${INTERVAL_S}s`,
      'collector.inventory.interval': `${INTERVAL_S}s`,
      ...row.flags
    }
    const configFile = join(dir, `${row.name.replace(/\W+/g, '-')}.yml`)
    writeFileSync(configFile, `max_staleness_intervals: ${STALENESS_INTERVALS}\n${row.yaml ?? ''}`)
    const exporter: TestExporter = await startTestExporter(sim, {
      flags: { ...flags, 'config.file': configFile }
    })
    const context: RowContext = { sim }
    const read = (): Promise<Scraped> => scrapeExposition(exporter.url)
    const family = TARGET_FAMILY[row.target]
    try {
      // Warm up: both collectors have published data.
      await waitFor('first data', async () => {
        const s = await read()
        return (
          s.series(TARGET_FAMILY.org_metrics).length > 0 &&
          s.series(TARGET_FAMILY.inventory).length > 0 &&
          collector(s, 'cratedb_cloud_collector_success', 'org_metrics') === 1 &&
          collector(s, 'cratedb_cloud_collector_success', 'inventory') === 1
        )
      })
      const before = await read()
      const errorsBefore = row.reason === null ? 0 : errorsOf(before, row.route, row.reason)
      const runsBefore = collector(before, 'cratedb_cloud_collector_runs_total', row.target) ?? 0
      const callsBefore = callsTo()
      row.apply(context)

      if (row.reason === null) {
        // Tolerated: the invalid lines are skipped and counted, the data stays fresh.
        await waitFor('invalid lines counted', async () => {
          const s = await read()
          return (s.value('cratedb_cloud_org_metrics_invalid_lines') ?? 0) > 0
        })
        const during = await read()
        expectValid(during, 'with garbage lines')
        expect(collector(during, 'cratedb_cloud_collector_success', row.target)).toBe(1)
        expect(during.series(family).length).toBe(before.series(family).length)
        expect(exporter.logs.some((line) => line.includes('invalid lines'))).toBe(true)
        row.clear(context)
        return
      }
      const reason = row.reason

      await waitFor(`an error with reason ${reason}`, async () => {
        const s = await read()
        return (
          errorsOf(s, row.route, reason) > errorsBefore &&
          collector(s, 'cratedb_cloud_collector_success', row.target) === 0
        )
      })
      const failing = await read()
      expectValid(failing, 'after the first failure')
      // Kept: the last good data, unchanged, while it is younger than the staleness limit.
      expect(failing.series(family)).toEqual(before.series(family))
      const lastSuccess = collector(
        failing,
        'cratedb_cloud_collector_last_success_timestamp_seconds',
        row.target
      )
      if (
        lastSuccess ===
        collector(before, 'cratedb_cloud_collector_last_success_timestamp_seconds', row.target)
      ) {
        for (const labels of before.series(family))
          expect(failing.value(family, labels)).toBe(before.value(family, labels))
      }

      // Withdrawn: once older than the staleness limit, and not before.
      let withdrawnAt = 0
      await waitFor(
        'stale data withdrawn',
        async () => {
          const s = await read()
          withdrawnAt = Date.now() / 1000
          return s.series(family).length === 0
        },
        (STALENESS_INTERVALS + 4) * INTERVAL_S * 1000
      )
      const stale = await read()
      expectValid(stale, 'after withdrawal')
      const age = withdrawnAt - (lastSuccess ?? 0)
      expect(age).toBeGreaterThanOrEqual(STALENESS_INTERVALS * INTERVAL_S - 0.05)
      expect(collector(stale, 'cratedb_cloud_collector_success', row.target)).toBe(0)
      expect(collector(stale, 'cratedb_cloud_collector_data_age_seconds', row.target)).toBeUndefined()
      if (row.reason !== 'auth') {
        // A failing collector degrades its own families only.
        expect(stale.series(TARGET_FAMILY[OTHER[row.target]]).length).toBeGreaterThan(0)
      }

      // Retries stay inside each run's budget: no thundering herd.
      const runs = (collector(stale, 'cratedb_cloud_collector_runs_total', row.target) ?? 0) - runsBefore
      const sent = callsTo() - callsBefore
      // A Retry-After longer than the interval spaces the runs out by itself.
      expect(runs).toBeGreaterThanOrEqual(
        row.retryAfterS === undefined
          ? STALENESS_INTERVALS - 1
          : Math.floor(STALENESS_INTERVALS / row.retryAfterS)
      )
      expect(sent).toBeGreaterThanOrEqual(runs - 1)
      expect(sent).toBeLessThanOrEqual((runs + 1) * row.perRun)
      const duration = collector(stale, 'cratedb_cloud_collector_duration_seconds', row.target) ?? Infinity
      expect(duration).toBeLessThan(INTERVAL_S + 0.5)

      // Back within one interval (plus the run itself) once the fault clears.
      row.clear(context)
      const cleared = Date.now()
      await waitFor('data back', async () => {
        const s = await read()
        return (
          s.series(family).length > 0 && collector(s, 'cratedb_cloud_collector_success', row.target) === 1
        )
      })
      const recoveryMs = Date.now() - cleared
      expect(recoveryMs).toBeLessThan(Math.max(INTERVAL_S, row.retryAfterS ?? 0) * 1000 + 1500)
      expect((await read()).series(family)).toEqual(expect.arrayContaining(before.series(family)))
    } finally {
      const health = await fetch(`${exporter.url}/healthz`)
      expect(health.status).toBe(200)
      expect(exporter.exporter.view.alive()).toBe(true)
      await exporter.close()
      await sim.close()
    }
  })
})
