import { describe, expect, it } from 'vitest'
import {
  decide,
  need,
  targetSize,
  windowState,
  type ActionRecord,
  type ClusterFacts,
  type StorageSignals
} from '../../../src/autopilot/policy.js'
import type { StorageAutopilotConfig } from '../../../src/config/autopilot.js'

const GIB = 1024 ** 3
const MIN = 60_000
const HOUR = 3_600_000
/** Wednesday 2026-05-13 10:00 UTC. */
const NOW = Date.UTC(2026, 4, 13, 10, 0, 0)

const policy = (overrides: Partial<StorageAutopilotConfig> = {}): StorageAutopilotConfig => ({
  mode: 'apply',
  intervalSeconds: 60,
  organizations: { include: [], exclude: [] },
  projects: { include: [], exclude: [] },
  clusters: { include: [], exclude: [] },
  trigger: { fullestNodeAbove: 0.85, forSeconds: 900, floodStageWithinSeconds: 86400 },
  step: { kind: 'percent', value: 25 },
  roundToBytes: GIB,
  limits: {
    maxDiskSizePerNodeBytes: 1024 * GIB,
    cooldownSeconds: 6 * 3600,
    maxPerClusterPerDay: 2,
    maxPerOrganizationPerDay: 3
  },
  maintenanceWindow: null,
  staleAfterSeconds: 300,
  forecastWindowSeconds: 6 * 3600,
  operationTimeoutSeconds: 1800,
  operationPollSeconds: 15,
  ...overrides
})
const facts = (overrides: Partial<ClusterFacts> = {}): ClusterFacts => ({
  suspended: false,
  health: 'GREEN',
  runningOperation: '',
  diskSizePerNodeBytes: 256 * GIB,
  allowCustomStorage: true,
  ...overrides
})
/** The fullest node at 90 % for 20 minutes, flood stage in 3 h. */
const full = (overrides: Partial<StorageSignals> = {}): StorageSignals => ({
  fullestUtilization: 0.9,
  aboveSinceMs: NOW - 20 * MIN,
  sampleMs: NOW,
  floodStageInSeconds: 3 * 3600,
  stale: null,
  ...overrides
})
const clean: ActionRecord = {
  lastActionMs: null,
  clusterActionsToday: 0,
  organizationActionsToday: 0,
  refused: null
}

describe('need', () => {
  it('starts when the fullest node has stayed above the threshold for the time set, not before', () => {
    const config = policy({
      trigger: { fullestNodeAbove: 0.85, forSeconds: 900, floodStageWithinSeconds: null }
    })
    expect(need(config, full({ aboveSinceMs: NOW - 14 * MIN }))).toBeNull()
    expect(need(config, full({ aboveSinceMs: NOW - 15 * MIN }))).toMatch(
      /fullest node at 90.0 %, above 85.0 % for 15 min/
    )
    expect(need(config, full({ aboveSinceMs: null }))).toBeNull()
  })

  it('starts when the flood stage is forecast within the horizon, and not for a node that does not grow', () => {
    const config = policy({
      trigger: { fullestNodeAbove: null, forSeconds: 900, floodStageWithinSeconds: 86400 }
    })
    expect(need(config, full({ floodStageInSeconds: 86_401 }))).toBeNull()
    expect(need(config, full({ floodStageInSeconds: 7200 }))).toMatch(
      /flood stage \(95 %\) forecast in 2.0 h/
    )
    expect(need(config, full({ floodStageInSeconds: null }))).toBeNull()
  })
})

describe('decide', () => {
  it('expands by the step, rounded up to whole GiB', () => {
    expect(decide(policy(), facts(), full(), clean, NOW)).toMatchObject({
      kind: 'expand',
      fromBytes: 256 * GIB,
      toBytes: 320 * GIB
    })
  })

  it('does nothing without a need', () => {
    expect(
      decide(policy(), facts(), full({ aboveSinceMs: null, floodStageInSeconds: null }), clean, NOW).kind
    ).toBe('idle')
  })

  const cases: [string, Partial<ClusterFacts>, Partial<StorageSignals>, Partial<ActionRecord>, string][] = [
    ['a refused key', {}, {}, { refused: 'HTTP 403' }, 'refused'],
    ['a suspended cluster', { suspended: true }, {}, {}, 'suspended'],
    [
      'a cluster reported SUSPENDED (the expansion itself suspends it)',
      { health: 'SUSPENDED' },
      {},
      {},
      'suspended'
    ],
    ['a running operation', { runningOperation: 'EXPAND_STORAGE' }, {}, {}, 'running_operation'],
    ['unknown health', { health: 'UNKNOWN' }, {}, {}, 'health'],
    ['an unreachable cluster', { health: 'UNREACHABLE' }, {}, {}, 'health'],
    ['stale data', {}, { stale: 'newest sample 12 min old' }, {}, 'stale'],
    ['an unknown disk size', { diskSizePerNodeBytes: null }, {}, {}, 'unknown_size'],
    ['a product without custom storage', { allowCustomStorage: false }, {}, {}, 'not_allowed'],
    ['a disk at the maximum', { diskSizePerNodeBytes: 1024 * GIB }, {}, {}, 'at_maximum'],
    ['the cooldown', {}, {}, { lastActionMs: NOW - 6 * HOUR + 1 }, 'cooldown'],
    ['the daily cap per cluster', {}, {}, { clusterActionsToday: 2 }, 'cluster_daily_cap'],
    ['the daily cap per organization', {}, {}, { organizationActionsToday: 3 }, 'organization_daily_cap']
  ]
  it.each(cases)('skips for %s, saying why and what the need was', (_name, f, s, r, code) => {
    const decision = decide(policy(), facts(f), full(s), { ...clean, ...r }, NOW)
    expect(decision).toMatchObject({ kind: 'skip', code, need: expect.stringMatching(/fullest node/) })
  })

  it('acts again once the cooldown has passed', () => {
    expect(decide(policy(), facts(), full(), { ...clean, lastActionMs: NOW - 6 * HOUR }, NOW).kind).toBe(
      'expand'
    )
  })

  it('never goes above the maximum: the last step is cut to it', () => {
    expect(decide(policy(), facts({ diskSizePerNodeBytes: 1000 * GIB }), full(), clean, NOW)).toMatchObject({
      kind: 'expand',
      toBytes: 1024 * GIB
    })
  })

  describe('with a maintenance window on Saturdays and Sundays from 02:00 for 4 h', () => {
    const config = policy({
      maintenanceWindow: { days: [0, 6], startMinutes: 120, durationSeconds: 4 * 3600 }
    })
    const saturday3am = Date.UTC(2026, 4, 16, 3, 0, 0)

    it('acts inside it', () => {
      expect(
        decide(
          config,
          facts(),
          full({ aboveSinceMs: saturday3am - HOUR, sampleMs: saturday3am }),
          clean,
          saturday3am
        ).kind
      ).toBe('expand')
    })

    it('waits outside it while the flood stage is not forecast before it opens', () => {
      // Wednesday 10:00; the window opens on Saturday 02:00, 64 h later
      const decision = decide(config, facts(), full({ floodStageInSeconds: 70 * 3600 }), clean, NOW)
      expect(decision).toMatchObject({ kind: 'skip', code: 'maintenance_window' })
      expect(decide(config, facts(), full({ floodStageInSeconds: null }), clean, NOW)).toMatchObject({
        code: 'maintenance_window'
      })
    })

    it('acts outside it when the flood stage is forecast before it opens', () => {
      expect(decide(config, facts(), full({ floodStageInSeconds: 3 * 3600 }), clean, NOW).kind).toBe('expand')
    })

    it('knows when it is open and when it opens next', () => {
      const window = config.maintenanceWindow!
      expect(windowState(window, NOW)).toEqual({ open: false, nextOpenMs: Date.UTC(2026, 4, 16, 2, 0, 0) })
      expect(windowState(window, saturday3am)).toEqual({
        open: true,
        nextOpenMs: Date.UTC(2026, 4, 16, 2, 0, 0)
      })
      // Sunday 06:00 is the end: closed, next Saturday
      expect(windowState(window, Date.UTC(2026, 4, 17, 6, 0, 0))).toEqual({
        open: false,
        nextOpenMs: Date.UTC(2026, 4, 23, 2, 0, 0)
      })
    })
  })
})

describe('targetSize', () => {
  it('adds a percentage or a size, rounds up to the unit and stops at the maximum', () => {
    expect(targetSize(100 * GIB, { kind: 'percent', value: 10 }, GIB, 1024 * GIB)).toBe(110 * GIB)
    expect(targetSize(100 * GIB, { kind: 'percent', value: 10 }, 32 * GIB, 1024 * GIB)).toBe(128 * GIB)
    expect(targetSize(100 * GIB, { kind: 'bytes', value: GIB / 2 }, GIB, 1024 * GIB)).toBe(101 * GIB)
    expect(targetSize(1000 * GIB, { kind: 'bytes', value: 64 * GIB }, GIB, 1024 * GIB)).toBe(1024 * GIB)
  })
})
