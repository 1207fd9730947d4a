import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFaultRule } from '../../src/simulator/index.js'
import { startTestExporter, waitFor } from '../helpers/exporter.js'
import { firstCredential, startTestSimulator } from '../helpers/simulator.js'
import { countCalls, scrapeExposition, sleep, startLocalServer } from './support.js'

/**
 * The API key and secret never leave the Authorization header: not in debug logs through every fault,
 * not on /metrics, /status, /readyz or the landing page, and never sent to another origin.
 */

const EVERY_FAULT = [
  '500',
  '502',
  '503',
  '504',
  '403',
  '429:1',
  '429:30',
  '429:none',
  'latency:1200',
  'reset',
  'slow:1200',
  'truncate',
  'malformed',
  'oversize:3000000',
  '204'
]

let dir = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cce-secrets-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function forbidden(key: string, secret: string): string[] {
  const pair = `${key}:${secret}`
  return [key, secret, Buffer.from(pair).toString('base64'), Buffer.from(pair).toString('base64url')]
}

async function pages(url: string): Promise<Record<string, string>> {
  const get = async (path: string, accept?: string): Promise<string> =>
    (await fetch(`${url}${path}`, accept === undefined ? {} : { headers: { accept } })).text()
  return {
    metrics: await get('/metrics'),
    openmetrics: await get('/metrics', 'application/openmetrics-text; version=1.0.0'),
    status: await get('/status'),
    landing: await get('/'),
    readyz: await get('/readyz'),
    healthz: await get('/healthz')
  }
}

describe('secrets', () => {
  it('never appear in debug logs, /metrics, /status or the landing page through every fault', async () => {
    const sim = await startTestSimulator({ settings: { rateLimitWindowMs: 100 } })
    const { key, secret } = firstCredential(sim)
    const config = join(dir, 'limits.yml')
    writeFileSync(config, 'api:\n  max_response_bytes: 1000000\n  max_metrics_response_bytes: 16000000\n')
    const exporter = await startTestExporter(sim, {
      flags: {
        'collector.org_metrics.interval': '500ms',
        'collector.inventory.interval': '500ms',
        'api.timeout': '400ms',
        'config.file': config
      },
      logLevel: 'debug'
    })
    try {
      await waitFor('ready', () => exporter.exporter.view.ready())
      const seen: Record<string, string>[] = [await pages(exporter.url)]
      for (const fault of EVERY_FAULT) {
        sim.state.setFaults([parseFaultRule(`~^/api/=*${fault}`)])
        await sleep(700)
        seen.push(await pages(exporter.url))
      }
      sim.state.setFaults([])
      for (const authFailure of [401, 302] as const) {
        sim.state.settings.authFailure = authFailure
        sim.state.deactivateCredential(key)
        await waitFor('the refusal seen', () => exporter.exporter.view.status().problem !== null)
        await sleep(600)
        seen.push(await pages(exporter.url))
        sim.state.addCredential(key, secret)
        await waitFor('recovered', () => exporter.exporter.view.ready())
      }
      const reasons = exporter.exporter.view.status().api.errors
      expect(Object.keys(reasons).sort()).toEqual([
        'auth',
        'decode',
        'network',
        'server',
        'throttled',
        'timeout'
      ])
      expect(exporter.logs.some((line) => line.includes('"level":20') || line.includes('"debug"'))).toBe(true)
      expect(exporter.logs.length).toBeGreaterThan(50)

      for (const needle of forbidden(key, secret)) {
        for (const line of exporter.logs) expect(line).not.toContain(needle)
        for (const page of seen)
          for (const [name, body] of Object.entries(page)) {
            expect(body, `${name} contains a secret`).not.toContain(needle)
          }
      }
    } finally {
      await exporter.close()
      await sim.close()
    }
  })

  it('are never sent to another origin, even when the API redirects there', async () => {
    const sim = await startTestSimulator({ settings: { rateLimitWindowMs: 100 } })
    const elsewhere = await startLocalServer()
    const calls = countCalls(sim)
    const exporter = await startTestExporter(sim, {
      flags: {
        'collector.org_metrics.interval': '500ms',
        'collector.inventory.interval': '500ms'
      }
    })
    try {
      await waitFor('ready', () => exporter.exporter.view.ready())
      const before = calls.total()
      // Every API path answers 302 to a login page on another origin.
      sim.state.setFaults([parseFaultRule(`~^/api/=*redirect:${elsewhere.url}/login`)])
      await waitFor('a redirect refused as an authentication failure', async () => {
        const s = await scrapeExposition(exporter.url)
        return (
          (s.value('cratedb_cloud_api_errors_total', {
            endpoint: '/api/v2/organizations/',
            reason: 'auth'
          }) ?? 0) > 0
        )
      })
      await sleep(1500)
      expect(calls.total() - before).toBeGreaterThan(2)
      expect(elsewhere.requests).toEqual([])
      expect(exporter.exporter.view.ready()).toBe(false)
    } finally {
      await exporter.close()
      await elsewhere.close()
      await sim.close()
    }
  })
})
