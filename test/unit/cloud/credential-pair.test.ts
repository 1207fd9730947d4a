import { Registry } from 'prom-client'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createCredentialPool } from '../../../src/cloud/credentials.js'
import { apiMetricsObserver } from '../../../src/engine/api-metrics.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'

const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`

describe('a rotated key and secret file pair', () => {
  it('is read again as a pair, never a new key with the old secret', async () => {
    let now = 0
    let readTakesMs = 10
    const files = new Map([
      ['/k', 'old-key'],
      ['/s', 'old-secret']
    ])
    const pool = createCredentialPool({
      credentials: [{ name: 'mounted', key: { file: '/k' }, secret: { file: '/s' } }],
      observer: apiMetricsObserver(
        createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' })
      ),
      logger: pino({ level: 'silent' }),
      clock: { now: () => now },
      refreshMs: 5000,
      // At first each read takes 10 ms, so the two files are read at different times.
      readFile: (path) => {
        now += readTakesMs
        return Promise.resolve(files.get(path) ?? '')
      }
    })
    const first = await pool.resolve(0)
    expect(typeof first === 'object' && first.authorization).toBe(basic('old-key', 'old-secret'))
    files.set('/k', 'new-key')
    files.set('/s', 'new-secret')
    // The key file's copy is now 5 s old, the secret file's 10 ms younger.
    readTakesMs = 0
    now = 5010
    const second = await pool.resolve(0)
    expect(typeof second === 'object' && second.authorization).toBe(basic('new-key', 'new-secret'))
  })
})

describe('cratedb_cloud_api_credential_active', () => {
  it('is 0 for every key while all are refused, and 1 again for the key that works', async () => {
    const metrics = createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' })
    const pool = createCredentialPool({
      credentials: [
        { name: 'a', key: { value: 'ka' }, secret: { value: 'sa' } },
        { name: 'b', key: { value: 'kb' }, secret: { value: 'sb' } }
      ],
      observer: apiMetricsObserver(metrics),
      logger: pino({ level: 'silent' }),
      clock: { now: () => 0 },
      readFile: () => Promise.resolve('')
    })
    const active = async () =>
      Object.fromEntries(
        (await metrics.credentialActive.get()).values.map((v) => [String(v.labels.credential), v.value])
      )
    expect(await active()).toEqual({ a: 1, b: 0 })
    pool.authFailed(0)
    pool.authFailed(1)
    pool.allRefused()
    expect(await active()).toEqual({ a: 0, b: 0 })
    pool.succeeded(1)
    expect(await active()).toEqual({ a: 0, b: 1 })
  })
})
