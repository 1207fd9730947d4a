import { describe, expect, it } from 'vitest'
import { createAdmission } from '../../../src/server/auth-admission.js'

/** A comparison that finishes when the test says so. */
function gate(): { task: () => Promise<boolean>; open: (ok: boolean) => void; started: () => boolean } {
  let release: (ok: boolean) => void = () => undefined
  let started = false
  return {
    task: () => {
      started = true
      return new Promise<boolean>((resolve) => (release = resolve))
    },
    open: (ok) => release(ok),
    started: () => started
  }
}

describe('createAdmission', () => {
  it('refuses a client without a check once its failure budget is spent, and forgives over time', () => {
    let now = 0
    const admission = createAdmission({ failureBurst: 3, failureRefillMs: 1000, now: () => now })
    for (let i = 0; i < 3; i++) {
      expect(admission.refusedFor('10.0.0.1')).toBe(0)
      admission.failed('10.0.0.1')
    }
    expect(admission.refusedFor('10.0.0.1')).toBe(1)
    expect(admission.refusedFor('10.0.0.2')).toBe(0)
    now = 1000
    expect(admission.refusedFor('10.0.0.1')).toBe(0)
  })

  it('answers busy when a lane is full, and runs a well-behaved client beside a suspect one', async () => {
    const admission = createAdmission({ maxQueuedSuspect: 1, maxQueuedTrusted: 2 })
    admission.failed('attacker')
    const running = gate()
    const first = admission.run('attacker', () => false, running.task)
    expect(running.started()).toBe(true)
    const queued = gate()
    const second = admission.run('attacker', () => false, queued.task)
    expect(
      await admission.run(
        'attacker',
        () => false,
        () => Promise.resolve(false)
      )
    ).toBe('busy')

    // a client with a clean record has its own runner and does not wait for the attacker's comparison
    const scrape = gate()
    const scraped = admission.run('prometheus', () => false, scrape.task)
    expect(scrape.started()).toBe(true)
    scrape.open(true)
    expect(await scraped).toBe(true)

    running.open(false)
    expect(await first).toBe(false)
    queued.open(false)
    expect(await second).toBe(false)
  })

  it('skips a queued comparison whose client has gone', async () => {
    const admission = createAdmission()
    const running = gate()
    const first = admission.run('a', () => false, running.task)
    let connected = true
    const waiting = gate()
    const second = admission.run('b', () => !connected, waiting.task)
    connected = false
    running.open(true)
    expect(await first).toBe(true)
    expect(await second).toBe('gone')
    expect(waiting.started()).toBe(false)
  })
})
