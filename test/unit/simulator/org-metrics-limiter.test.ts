import { describe, expect, it } from 'vitest'
import type { OrgMetricsRequest } from '../../../src/simulator/index.js'
import { createFixture } from './fixture.js'
import { parseSamples } from './prom-text.js'

type Fixture = ReturnType<typeof createFixture>

/** Series (name and labels) -> the sample's own timestamp. */
function timestamps(body: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const sample of parseSamples(body)) {
    if (sample.timestampMs === null) continue
    const labels = sample.labelNames.map((name) => `${name}=${sample.labels[name]}`).join(',')
    out.set(`${sample.family}{${labels}}`, sample.timestampMs)
  }
  return out
}

async function requestLog(f: Fixture, organizationId?: string) {
  const query = organizationId === undefined ? '' : `?organization=${organizationId}`
  const response = await f.admin('GET', `/org-metrics/requests${query}`)
  expect(response.statusCode).toBe(200)
  return response.json<{ windowMs: number; rateLimit: string; requests: OrgMetricsRequest[] }>()
}

describe.each(['cache', '429'] as const)('the org-metrics limiter in %s mode', (mode) => {
  const limited = mode === '429' ? 'throttled' : 're-served'

  it('counts the window from the last fresh answer, per organization, to the millisecond', async () => {
    const f = createFixture({ settings: { rateLimit: mode } })
    const [a, b] = f.state.organizations()
    const t0 = f.clock.now()
    const at = async (ms: number, orgId: string) => {
      f.clock.advance(t0 + ms - f.clock.now())
      return f.get(f.orgMetricsUrl(orgId))
    }
    expect((await at(0, a!.id)).statusCode).toBe(200)
    // Another organization has its own window.
    expect((await at(30_000, b!.id)).statusCode).toBe(200)
    const inside = await at(30_000, a!.id)
    expect(inside.statusCode).toBe(mode === '429' ? 429 : 200)
    if (mode === '429') expect(inside.headers['retry-after']).toBe('30')
    // Requests inside the window do not move it: the next fresh answer is due at t0 + 60 s.
    const lastMs = await at(59_999, a!.id)
    expect(lastMs.statusCode).toBe(mode === '429' ? 429 : 200)
    if (mode === '429') expect(lastMs.headers['retry-after']).toBe('1')
    expect((await at(60_000, a!.id)).statusCode).toBe(200)
    expect((await at(89_999, b!.id)).statusCode).toBe(mode === '429' ? 429 : 200)
    expect((await at(90_000, b!.id)).statusCode).toBe(200)
    const partial = await at(60_000 + 45_500, a!.id)
    if (mode === '429') expect(partial.headers['retry-after']).toBe('15')
    expect((await at(120_000, a!.id)).statusCode).toBe(200)

    const log = await requestLog(f)
    expect(log).toMatchObject({ windowMs: 60_000, rateLimit: mode })
    expect(log.requests.map((r) => [r.atMs - t0, r.organizationId === a!.id ? 'a' : 'b', r.outcome])).toEqual(
      [
        [0, 'a', 'fresh'],
        [30_000, 'b', 'fresh'],
        [30_000, 'a', limited],
        [59_999, 'a', limited],
        [60_000, 'a', 'fresh'],
        [89_999, 'b', limited],
        [90_000, 'b', 'fresh'],
        [105_500, 'a', limited],
        [120_000, 'a', 'fresh']
      ]
    )
    expect(log.requests.filter((r) => r.outcome === 'throttled').map((r) => r.retryAfterSeconds)).toEqual(
      mode === '429' ? [30, 1, 1, 15] : []
    )
    // The window each limited request fell into: the last fresh answer before it.
    for (const r of log.requests.filter((entry) => entry.outcome === limited))
      expect(r.atMs - r.freshAtMs!).toBeLessThan(60_000)
    expect((await requestLog(f, b!.id)).requests.map((r) => r.outcome)).toEqual(['fresh', limited, 'fresh'])
  })

  it('follows a changed window length', async () => {
    const f = createFixture({ settings: { rateLimit: mode } })
    const org = f.state.organizations()[0]!
    expect((await f.admin('PATCH', '/settings', { rateLimitWindowMs: 10_000 })).statusCode).toBe(200)
    expect((await f.admin('PATCH', '/settings', { rateLimitWindowMs: -1 })).statusCode).toBe(400)
    await f.get(f.orgMetricsUrl(org.id))
    f.clock.advance(9_999)
    await f.get(f.orgMetricsUrl(org.id))
    f.clock.advance(1)
    await f.get(f.orgMetricsUrl(org.id))
    expect((await requestLog(f, org.id)).requests.map((r) => r.outcome)).toEqual(['fresh', limited, 'fresh'])
  })
})

describe('the bodies of the org-metrics endpoint', () => {
  it('re-serves the previous body with its sample timestamps; a fresh body has newer ones', async () => {
    const f = createFixture({ settings: { rateLimit: 'cache' } })
    const org = f.state.organizations()[0]!
    const first = (await f.get(f.orgMetricsUrl(org.id))).body
    // Whatever changes inside the window, the re-served body stays the previous one.
    f.clock.advance(20_000)
    f.state.setCpuLoad(0.9)
    f.clock.advance(39_999)
    const again = (await f.get(f.orgMetricsUrl(org.id))).body
    expect(again).toBe(first)
    f.clock.advance(1)
    const fresh = (await f.get(f.orgMetricsUrl(org.id))).body
    const before = timestamps(first)
    const after = timestamps(fresh)
    expect(before.size).toBeGreaterThan(100)
    let compared = 0
    for (const [series, timestampMs] of after) {
      const previous = before.get(series)
      if (previous === undefined) continue
      expect(timestampMs, series).toBe(previous + 60_000)
      compared++
    }
    expect(compared).toBe(before.size)
  })
})
