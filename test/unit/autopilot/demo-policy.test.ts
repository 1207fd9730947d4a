import { describe, expect, it } from 'vitest'
import { demoStoragePolicy } from '../../../src/autopilot/demo-policy.js'

describe("the demo's storage policy", () => {
  it('is valid, and a dry-run that never sends a change', () => {
    const policy = demoStoragePolicy()
    expect(policy.mode).toBe('dry_run')
    expect(policy.trigger).toEqual({
      fullestNodeAbove: 0.85,
      forSeconds: 120,
      floodStageWithinSeconds: 86400
    })
  })
})
