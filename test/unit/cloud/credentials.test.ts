import { Writable } from 'node:stream'
import { pino } from 'pino'
import { beforeEach, describe, expect, it } from 'vitest'
import { CloudApiError } from '../../../src/cloud/errors.js'
import type { CredentialConfig } from '../../../src/config/types.js'
import { metricValue, useMockCloud } from './mock-cloud.js'

const PATH = '/api/v2/organizations/'
const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`

let logs: string
const cloud = useMockCloud()
const { pool } = cloud

beforeEach(() => {
  logs = ''
})

function setup(
  credentials: CredentialConfig[],
  files: Map<string, string> = new Map(),
  clock = { now: () => 0 }
) {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString()
      callback()
    }
  })
  return cloud.client({
    credentials,
    logger: pino({ level: 'debug' }, destination),
    clock,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    readFile: (path) => {
      const content = files.get(path)
      return content === undefined
        ? Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }))
        : Promise.resolve(content)
    }
  })
}

const inline = (name: string, key: string, secret: string): CredentialConfig => ({
  name,
  key: { value: key },
  secret: { value: secret }
})

/** A key read from /run/key and /run/secret. */
const mounted = (name: string): CredentialConfig => ({
  name,
  key: { file: '/run/key' },
  secret: { file: '/run/secret' }
})

function expectOk(authorization: string, times = 1) {
  pool().intercept({ path: PATH, headers: { authorization } }).reply(200, []).times(times)
}
function expectRefused(authorization: string, status: number) {
  pool().intercept({ path: PATH, headers: { authorization } }).reply(status, { message: 'no' })
}

const signal = () => AbortSignal.timeout(5000)

describe('API key failover', () => {
  it('moves from a refused key to the next within the same call, and stays there', async () => {
    const api = setup([
      inline('first', 'k1', 's1'),
      inline('second', 'k2', 's2'),
      inline('third', 'k3', 's3')
    ])
    expectRefused(basic('k1', 's1'), 401)
    expectRefused(basic('k2', 's2'), 403)
    expectOk(basic('k3', 's3'), 2)
    expect(await api.organizations(signal())).toEqual([])
    expect(await api.organizations(signal())).toEqual([])

    expect(await metricValue(cloud.metrics.credentialFailures, { credential: 'first' })).toBe(1)
    expect(await metricValue(cloud.metrics.credentialFailures, { credential: 'second' })).toBe(1)
    expect(await metricValue(cloud.metrics.credentialFailures, { credential: 'third' })).toBe(0)
    expect(await metricValue(cloud.metrics.credentialFailovers)).toBe(1)
    expect(await metricValue(cloud.metrics.credentialActive, { credential: 'first' })).toBe(0)
    expect(await metricValue(cloud.metrics.credentialActive, { credential: 'third' })).toBe(1)
    expect(api.credentials()).toEqual([
      { name: 'first', active: false, lastOutcome: 'auth_failed', lastFailureAt: 0 },
      { name: 'second', active: false, lastOutcome: 'auth_failed', lastFailureAt: 0 },
      { name: 'third', active: true, lastOutcome: 'ok', lastFailureAt: null }
    ])
    expect(api.usage()).toEqual({ requests: 4, errors: { auth: 2 } })
  })

  it('a redirect to the login page also fails over', async () => {
    const api = setup([inline('a', 'k1', 's1'), inline('b', 'k2', 's2')])
    pool()
      .intercept({ path: PATH, headers: { authorization: basic('k1', 's1') } })
      .reply(302, '', { headers: { location: '/?rd=%2Fapi%2Fv2%2Forganizations%2F' } })
    expectOk(basic('k2', 's2'))
    expect(await api.organizations(signal())).toEqual([])
  })

  it('fails with auth when every key is refused, naming keys but never their values', async () => {
    const api = setup([inline('first', 'key-one', 'secret-one'), inline('second', 'key-two', 'secret-two')])
    expectRefused(basic('key-one', 'secret-one'), 401)
    expectRefused(basic('key-two', 'secret-two'), 401)
    const error = (await api.organizations(signal()).catch((e: unknown) => e)) as CloudApiError
    expect(error).toBeInstanceOf(CloudApiError)
    expect(error.reason).toBe('auth')
    expect(error.message).toContain('first: HTTP 401')
    expect(error.message).toContain('second: HTTP 401')
    const everything =
      error.message + logs + (await cloud.metrics.registry.metrics()) + JSON.stringify(api.credentials())
    for (const secret of ['key-one', 'secret-one', 'key-two', 'secret-two', basic('key-one', 'secret-one')]) {
      expect(everything).not.toContain(secret)
    }
    expect(cloud.agent.getCallHistory()?.calls()).toHaveLength(2)
  })

  it('with no credentials at all, says so', async () => {
    const error = (await setup([])
      .organizations(signal())
      .catch((e: unknown) => e)) as CloudApiError
    expect(error.reason).toBe('auth')
    expect(error.message).toContain('no API credentials are configured')
  })

  it('skips a key whose secret file cannot be read, without sending it', async () => {
    const files = new Map([['/run/k2', 'k2\n']])
    const api = setup(
      [
        { name: 'broken', key: { file: '/missing/key' }, secret: { value: 's1' } },
        { name: 'spare', key: { file: '/run/k2' }, secret: { value: 's2' } }
      ],
      files
    )
    expectOk(basic('k2', 's2'))
    expect(await api.organizations(signal())).toEqual([])
    expect(cloud.agent.getCallHistory()?.calls()).toHaveLength(1)
    expect(logs).toContain('broken')
  })
})

describe('secret files', () => {
  it('a replaced secret file is picked up once the refresh period has passed', async () => {
    let now = 0
    const files = new Map([
      ['/run/key', 'the-key\n'],
      ['/run/secret', 'old-secret\n']
    ])
    const api = setup([mounted('file')], files, {
      now: () => now
    })
    expectOk(basic('the-key', 'old-secret'), 2)
    await api.organizations(signal())
    files.set('/run/secret', 'new-secret\n')
    now += 1000
    await api.organizations(signal())
    now += 5000
    expectOk(basic('the-key', 'new-secret'))
    await api.organizations(signal())
  })

  it('after an auth failure the files are read again at once', async () => {
    const files = new Map([
      ['/run/key', 'the-key'],
      ['/run/secret', 'revoked']
    ])
    const api = setup([mounted('file')], files)
    expectRefused(basic('the-key', 'revoked'), 401)
    await expect(api.organizations(signal())).rejects.toMatchObject({ reason: 'auth' })
    // Read again at once, unchanged: not sent a second time.
    expect(cloud.agent.getCallHistory()?.calls()).toHaveLength(1)
    files.set('/run/secret', 'rotated')
    expectOk(basic('the-key', 'rotated'))
    expect(await api.organizations(signal())).toEqual([])
    expect(api.credentials()[0]?.lastOutcome).toBe('ok')
  })

  it('a single key rotated in its files and revoked before they were due to be read again: the same call succeeds', async () => {
    const files = new Map([
      ['/run/key', 'old-key\n'],
      ['/run/secret', 'old-secret\n']
    ])
    const api = setup([mounted('only')], files)
    expectOk(basic('old-key', 'old-secret'))
    await api.organizations(signal())
    // Within the refresh period (the clock stands still): new files, and the old key revoked.
    files.set('/run/key', 'new-key\n')
    files.set('/run/secret', 'new-secret\n')
    expectRefused(basic('old-key', 'old-secret'), 401)
    expectOk(basic('new-key', 'new-secret'))
    expect(await api.organizations(signal())).toEqual([])
    expect(api.credentials()[0]?.lastOutcome).toBe('ok')
    expect(cloud.agent.getCallHistory()?.calls()).toHaveLength(3)
  })
})
