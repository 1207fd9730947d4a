import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  createDeadlineSignal,
  createSemaphore,
  parseRetryAfterMs,
  remainingMs
} from '../../../src/cloud/retry.js'
import { systemClock } from '../../../src/clock.js'
import { failure, metricValue, useMockCloud } from './mock-cloud.js'

const PATH = '/api/v2/organizations/o1/quotas/'
const TEMPLATE = '/api/v2/organizations/{organization_id}/quotas/'

const cloud = useMockCloud({ retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 }, random: () => 0.99 })
const { client, pool } = cloud
const callCount = () => cloud.agent.getCallHistory()?.calls().length ?? 0

describe('retries', () => {
  it('retries 5xx and succeeds, counting every attempt and retry', async () => {
    pool().intercept({ path: PATH }).reply(502, 'bad gateway').times(2)
    pool()
      .intercept({ path: PATH })
      .reply(200, [{ code: 'clusters', current_value: 2, quota: 10 }])
    const quotas = await client().quotas('o1', createDeadlineSignal(5000, systemClock))
    expect(quotas).toEqual([{ code: 'clusters', current_value: 2, quota: 10 }])
    expect(callCount()).toBe(3)
    expect(await metricValue(cloud.metrics.apiRequests, { endpoint: TEMPLATE })).toBe(3)
    expect(await metricValue(cloud.metrics.apiRetries, { endpoint: TEMPLATE })).toBe(2)
    expect(await metricValue(cloud.metrics.apiErrors, { endpoint: TEMPLATE, reason: 'server' })).toBe(2)
  })

  it('gives up after maxAttempts', async () => {
    pool().intercept({ path: PATH }).reply(500, '').times(4)
    const error = await failure(client().quotas('o1', createDeadlineSignal(5000, systemClock)))
    expect(error.reason).toBe('server')
    expect(callCount()).toBe(4)
  })

  it('does not retry what retrying cannot fix', async () => {
    pool().intercept({ path: PATH }).reply(400, { message: 'Bad request' })
    expect((await failure(client().quotas('o1', AbortSignal.timeout(5000)))).reason).toBe('client')
    expect(callCount()).toBe(1)
  })

  it('fails at once when the next backoff would not fit in the deadline', async () => {
    pool().intercept({ path: PATH }).reply(503, '')
    const api = client({ retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } })
    const error = await failure(api.quotas('o1', createDeadlineSignal(1000, systemClock)))
    expect(error.reason).toBe('server')
    expect(callCount()).toBe(1)
  })

  it('stops sleeping when a deadline it cannot see runs out', async () => {
    pool().intercept({ path: PATH }).reply(503, '')
    const api = client({ retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } })
    const error = await failure(api.quotas('o1', AbortSignal.timeout(100)))
    expect(error.reason).toBe('timeout')
    expect(error.message).toContain('waiting to retry')
    expect(callCount()).toBe(1)
  })

  it('honours Retry-After in seconds', async () => {
    pool()
      .intercept({ path: PATH })
      .reply(429, '', { headers: { 'retry-after': '1' } })
    pool().intercept({ path: PATH }).reply(200, [])
    const started = Date.now()
    expect(await client().quotas('o1', createDeadlineSignal(5000, systemClock))).toEqual([])
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(callCount()).toBe(2)
  })

  it('honours Retry-After as an HTTP date, against the injected clock', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    const clock = { now: () => now }
    pool()
      .intercept({ path: PATH })
      .reply(503, '', { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:01 GMT' } })
    pool().intercept({ path: PATH }).reply(200, [])
    const started = Date.now()
    expect(await client({ clock }).quotas('o1', AbortSignal.timeout(5000))).toEqual([])
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('fails now with throttled when Retry-After does not fit in the deadline', async () => {
    pool()
      .intercept({ path: PATH })
      .reply(429, '', { headers: { 'retry-after': '120' } })
    const error = await failure(client().quotas('o1', createDeadlineSignal(5000, systemClock)))
    expect(error.reason).toBe('throttled')
    expect(error.retryAfterSeconds).toBe(120)
    expect(error.message).toContain('Retry-After 120s')
    expect(callCount()).toBe(1)
  })

  it('fails now with throttled when a 503 Retry-After exceeds the limit and no deadline is known', async () => {
    pool()
      .intercept({ path: PATH })
      .reply(503, '', { headers: { 'retry-after': '3600' } })
    const error = await failure(client().quotas('o1', new AbortController().signal))
    expect(error.reason).toBe('throttled')
    expect(error.status).toBe(503)
    expect(callCount()).toBe(1)
  })

  it('an already aborted deadline sends nothing', async () => {
    const error = await failure(client().quotas('o1', AbortSignal.abort()))
    expect(error.reason).toBe('timeout')
    expect(callCount()).toBe(0)
  })
})

describe('retry timing', () => {
  it('backoff is full jitter, doubling, bounded by maxDelayMs', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 }
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffDelayMs(policy, retry, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999
    ])
    expect(backoffDelayMs(policy, 5, () => 0)).toBe(0)
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(policy, 3, Math.random)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(800)
    }
  })

  it('parses Retry-After seconds and dates, and ignores nonsense', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfterMs('7', now)).toBe(7000)
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0)
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfterMs('-5', now)).toBeUndefined()
    expect(parseRetryAfterMs('soon', now)).toBeUndefined()
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined()
  })

  it('a deadline signal knows its remaining time, and a parent deadline bounds a child', () => {
    let now = 1_000_000
    const clock = { ...systemClock, now: () => now }
    const parent = createDeadlineSignal(10_000, clock)
    const childSignal = createDeadlineSignal(60_000, clock, parent)
    now += 4000
    expect(remainingMs(parent, clock)).toBe(6000)
    expect(remainingMs(childSignal, clock)).toBe(6000)
    expect(remainingMs(new AbortController().signal, clock)).toBe(Infinity)
    expect(remainingMs(AbortSignal.abort(), clock)).toBe(0)
  })

  it('the semaphore admits at most its limit and hands slots over in order', async () => {
    const semaphore = createSemaphore(2)
    const never = new AbortController().signal
    const a = await semaphore.acquire(never)
    await semaphore.acquire(never)
    const order: string[] = []
    const c = semaphore.acquire(never).then((release) => (order.push('c'), release))
    const d = semaphore.acquire(never).then(() => order.push('d'))
    const aborted = new AbortController()
    const e = semaphore.acquire(aborted.signal)
    aborted.abort(new Error('deadline'))
    await expect(e).rejects.toThrow('deadline')
    await Promise.resolve()
    expect(order).toEqual([])
    a()
    a()
    const releaseC = await c
    expect(order).toEqual(['c'])
    releaseC()
    await d
    expect(order).toEqual(['c', 'd'])
  })
})
