import { describe, expect, it } from 'vitest'
import {
  FaultSpecError,
  createSimulatorClock,
  createSimulatorState,
  parseFaultRule
} from '../../../src/simulator/index.js'

describe('simulator clock', () => {
  it('moves a manual clock only when advanced, never backwards', () => {
    const clock = createSimulatorClock({ manual: true, startMs: 1000 })
    expect(clock.now()).toBe(1000)
    clock.advance(500)
    expect(clock.now()).toBe(1500)
    expect(() => clock.advance(-1)).toThrow(RangeError)
  })

  it('runs an accelerated clock N simulated seconds per real second', () => {
    let real = 0
    const clock = createSimulatorClock({ speed: 60, startMs: 1_000_000, realNow: () => real })
    real = 2000
    expect(clock.kind).toBe('accelerated')
    expect(clock.now()).toBe(1_000_000 + 120_000)
    clock.advance(1000)
    expect(clock.now()).toBe(1_000_000 + 121_000)
  })
})

describe('simulator scenarios', () => {
  it('is deterministic from the seed', () => {
    const ids = (seed: number) =>
      createSimulatorState({ seed, clock: createSimulatorClock({ manual: true, startMs: 0 }) })
        .clusters()
        .map((c) => c.id)
    expect(ids(5)).toEqual(ids(5))
    expect(ids(5)).not.toEqual(ids(6))
  })

  it('has in the demo every kind of cluster a dashboard shows', () => {
    const state = createSimulatorState({
      clock: createSimulatorClock({ manual: true, startMs: Date.UTC(2026, 0, 1) })
    })
    const statuses = state.clusters().map((c) => state.healthStatus(c))
    expect(statuses).toEqual(expect.arrayContaining(['GREEN', 'YELLOW', 'UNREACHABLE', 'SUSPENDED']))
    expect(state.clusters().some((c) => c.plan.cpusPerNode === 1.75)).toBe(true)
    expect(state.clusters().map((c) => c.plan.productName)).toEqual(
      expect.arrayContaining(['crfree', 'cr1', 'cr4', 's4'])
    )
  })

  it('generates 1,000 clusters of 1 to 9 nodes per organization, all served in one body', () => {
    const state = createSimulatorState({
      seed: 9,
      scenario: {
        kind: 'generated',
        organizations: 1,
        projectsPerOrganization: 5,
        clusters: 1000,
        shardsPerNode: 5
      },
      clock: createSimulatorClock({ manual: true, startMs: Date.UTC(2026, 0, 1) })
    })
    const clusters = state.clusters()
    expect(clusters).toHaveLength(1000)
    const sizes = new Set(clusters.map((c) => c.nodes.length))
    expect(Math.min(...sizes)).toBe(1)
    expect(Math.max(...sizes)).toBe(9)
    let ready = 0
    const truth = state.renderOrgMetrics(state.organizations()[0]!.id, state.clock.now(), (chunk) => {
      ready += (String(chunk).match(/^crate_ready\{/gm) ?? []).length
    })
    const running = clusters.filter((c) => state.isEmitting(c))
    expect(Object.keys(truth!.clusters)).toHaveLength(running.length)
    expect(ready).toBe(running.reduce((sum, c) => sum + c.nodes.length, 0))
  })
})

describe('fault specs', () => {
  it('parses sequences, repeats and probabilities', () => {
    expect(parseFaultRule('/api/v2/users/me/=503,429:5,pass')).toEqual({
      match: '/api/v2/users/me/',
      sequence: [
        { kind: 'status', status: 503 },
        { kind: 'status', status: 429, retryAfterSeconds: 5 },
        { kind: 'pass' }
      ],
      repeat: false
    })
    expect(parseFaultRule('~^/api/=*latency:20')).toMatchObject({
      repeat: true,
      sequence: [{ kind: 'latency', ms: 20 }]
    })
    expect(parseFaultRule('~x=10%:reset')).toEqual({
      match: '~x',
      action: { kind: 'reset' },
      probability: 0.1
    })
  })

  it('parses 403, 429 without Retry-After, and a redirect to another origin', () => {
    expect(parseFaultRule('/x/=*403,429:none,redirect:http://127.0.0.1:9/login/page')).toEqual({
      match: '/x/',
      sequence: [
        { kind: 'status', status: 403 },
        { kind: 'status', status: 429, retryAfterSeconds: null },
        { kind: 'redirect', location: 'http://127.0.0.1:9/login/page' }
      ],
      repeat: true
    })
  })

  it('refuses what it cannot play, with a stable code', () => {
    for (const bad of [
      'nothing',
      '/x/=418',
      '/x/=explode',
      '~(=500',
      '/x/=403:5',
      '/x/=redirect',
      '/x/=redirect:/relative'
    ]) {
      expect(() => parseFaultRule(bad)).toThrow(FaultSpecError)
    }
    expect(new FaultSpecError('x').code).toBe('CCE_SIM_FAULT_SPEC')
  })
})
