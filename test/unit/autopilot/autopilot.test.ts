import { afterEach, describe, expect, it } from 'vitest'
import { parseFaultRule } from '../../../src/simulator/faults.js'
import { GIB, HOUR, MINUTE, policy, startWorld } from './harness.js'

type World = Awaited<ReturnType<typeof startWorld>>
let world: World | undefined
afterEach(async () => {
  await world?.close()
  world = undefined
})

/** The demo's telemetry-archive with its first node at `ratio`, the others at half. */
async function nearFull(ratio = 0.9, options: { operationMs?: number } = {}) {
  world = await startWorld(options)
  const target = world.cluster('telemetry-archive')
  world.usage.set(target.id, [ratio, 0.5, 0.5])
  await world.refreshInventory()
  return { w: world, target, before: target.diskSizePerNodeBytes }
}

describe('storage autopilot, dry-run', () => {
  it('reports the near-full cluster once, with before and after sizes, and sends no PUT', async () => {
    const { w, target, before } = await nearFull()
    const { instance, count } = w.autopilot(policy({ mode: 'dry_run' }))
    await w.minutes(4, instance)
    expect(await count(target.id, 'dry_run')).toBe(0) // 4 minutes above 85 %: not yet 5
    await w.minutes(10, instance)
    expect(await count(target.id, 'dry_run')).toBe(1)
    expect(await count(target.id, 'skipped')).toBe(1) // then: cooldown, reported once
    expect(w.puts).toEqual([])
    expect(w.expansions(target)).toEqual([])
    const line = w.logs.find((l) => l['outcome'] === 'dry_run')
    expect(line).toMatchObject({
      cluster_name: 'telemetry-archive',
      mode: 'dry_run',
      from_bytes: before,
      to_bytes: Math.ceil((before * 1.25) / GIB) * GIB,
      need: expect.stringMatching(/fullest node at 90.0 %, above 85.0 % for 5 min/)
    })
    expect(instance.status().clusters.find((c) => c.id === target.id)).toMatchObject({
      state: 'skip',
      fullestNode: 'data-hot-0',
      fullestUtilization: expect.closeTo(0.9, 9)
    })
  })
})

describe('storage autopilot, apply', () => {
  it('expands once, follows the operation to SUCCEEDED, and the new size is applied', async () => {
    const { w, target, before } = await nearFull()
    const { instance, count } = w.autopilot(policy())
    await w.minutes(6, instance)
    await instance.settled()
    const after = Math.ceil((before * 1.25) / GIB) * GIB
    expect(w.puts).toEqual([target.id])
    expect(w.expansions(target).map((op) => op.nonSensitiveData)).toEqual([
      { current_disk_size_bytes: before, target_disk_size_bytes: after }
    ])
    expect(await count(target.id, 'requested')).toBe(1)
    expect(await count(target.id, 'succeeded')).toBe(1)
    expect(
      (await w.api.cluster(target.id, AbortSignal.timeout(5000))).hardware_specs?.disk_size_per_node_bytes
    ).toBe(after)
    expect(w.logs.find((l) => l['outcome'] === 'succeeded')).toMatchObject({
      from_bytes: before,
      to_bytes: after
    })
    // no other cluster touched
    for (const other of w.simulator.state.clusters())
      if (other.id !== target.id) expect(w.expansions(other)).toEqual([])
  })

  it('cooldown: the need that remains after an expansion waits for the cooldown, then acts again', async () => {
    const { w, target } = await nearFull()
    const { instance, count } = w.autopilot(policy({ limits: { ...policy().limits, cooldownSeconds: 3600 } }))
    await w.minutes(6, instance)
    await instance.settled()
    await w.minutes(50, instance)
    expect(w.puts).toHaveLength(1)
    expect(w.logs.filter((l) => l['outcome'] === 'skipped').map((l) => l['reason'])).toEqual([
      expect.stringMatching(/^cooldown/)
    ])
    await w.minutes(10, instance)
    await instance.settled()
    expect(w.puts).toHaveLength(2)
    expect(await count(target.id, 'succeeded')).toBe(2)
  })

  it('daily cap per cluster: no third expansion within 24 hours', async () => {
    const { w, target } = await nearFull()
    const { instance } = w.autopilot(policy({ limits: { ...policy().limits, cooldownSeconds: 600 } }))
    await w.minutes(60, instance)
    await instance.settled()
    expect(w.puts).toHaveLength(2)
    expect(w.expansions(target)).toHaveLength(2)
    expect(w.logs.at(-1)).toMatchObject({
      outcome: 'skipped',
      reason: '2 expansions of this cluster in 24 h'
    })
  })

  it('daily cap per organization: counts the expansions of every cluster of the organization', async () => {
    world = await startWorld()
    const w = world
    const a = w.cluster('telemetry-archive')
    const b = w.cluster('orders-prod')
    expect(a.organizationId).toBe(b.organizationId)
    w.usage.set(a.id, [0.9, 0.5, 0.5])
    w.usage.set(b.id, [0.9, 0.5, 0.5])
    await w.refreshInventory()
    const { instance } = w.autopilot(policy({ limits: { ...policy().limits, maxPerOrganizationPerDay: 1 } }))
    await w.minutes(8, instance)
    await instance.settled()
    expect(w.puts).toHaveLength(1)
    expect(w.logs.filter((l) => l['outcome'] === 'skipped').map((l) => l['reason'])).toEqual([
      '1 expansions in this organization in 24 h'
    ])
  })

  it('maximum size: grows to the maximum at most, then never again', async () => {
    const { w, target, before } = await nearFull()
    const max = before + 10 * GIB
    const { instance } = w.autopilot(
      policy({ limits: { ...policy().limits, maxDiskSizePerNodeBytes: max, cooldownSeconds: 60 } })
    )
    await w.minutes(6, instance)
    await instance.settled()
    await w.minutes(20, instance)
    expect(w.expansions(target).map((op) => op.nonSensitiveData['target_disk_size_bytes'])).toEqual([max])
    expect(w.logs.at(-1)).toMatchObject({
      outcome: 'skipped',
      reason: `the disk is at the maximum of ${max} bytes per node`
    })
  })

  it('suspended: never acts on a suspended cluster', async () => {
    const { w, target } = await nearFull()
    const { instance } = w.autopilot(policy())
    await w.minutes(4, instance)
    w.simulator.state.suspendCluster(target.id, true)
    await w.minutes(10, instance)
    expect(w.puts).toEqual([])
    // suspended clusters expose no node series: the need cannot be seen, and nothing is done
    expect(instance.status().clusters.find((c) => c.id === target.id)?.state).not.toBe('expand')
  })

  it('suspended between the inventory and the action: the re-read sees it and nothing is sent', async () => {
    const { w, target } = await nearFull()
    const { instance } = w.autopilot(policy())
    await w.minutes(5, instance)
    expect(w.puts).toEqual([])
    w.clock.advance(MINUTE)
    w.simulator.state.suspendCluster(target.id, true)
    await instance.evaluate() // the directory still shows the cluster running
    expect(w.puts).toEqual([])
    expect(w.logs.at(-1)).toMatchObject({ outcome: 'skipped', reason: 'the cluster is suspended' })
  })

  it('running operation: another operation seen only by the re-read stops the expansion', async () => {
    const { w, target } = await nearFull()
    const { instance } = w.autopilot(policy())
    await w.minutes(5, instance)
    w.clock.advance(MINUTE)
    // a person scales the cluster after the last inventory
    const response = await fetch(`${w.simulator.url}/api/v2/clusters/${target.id}/scale/`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from(`${w.simulator.state.credentials()[0]!.key}:${w.simulator.state.credentials()[0]!.secret}`).toString('base64')}`,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ product_unit: 3 })
    })
    expect(response.status).toBe(200)
    await instance.evaluate()
    expect(w.puts).toEqual([])
    expect(w.logs.at(-1)).toMatchObject({ outcome: 'skipped', reason: 'operation SCALE is running' })
  })

  it('stale data: no action while the newest storage sample is older than stale_after', async () => {
    const { w, target } = await nearFull()
    const { instance, count } = w.autopilot(policy())
    await w.minutes(3, instance)
    w.freezeSamples(w.clock.now())
    await w.minutes(10, instance)
    expect(w.puts).toEqual([])
    expect(await count(target.id, 'skipped')).toBe(0) // the need never formed: no new samples
    // samples that keep coming but are 7 minutes old when they arrive: the need forms, the age stops it
    w.freezeSamples(null)
    w.lagSamples(7 * MINUTE)
    await w.minutes(10, instance)
    expect(w.puts).toEqual([])
    expect(w.logs.at(-1)).toMatchObject({
      outcome: 'skipped',
      reason: 'the newest storage sample is 7 min old'
    })
  })

  it('403: a clear refusal, logged once, and no further attempt for that cluster', async () => {
    const { w, target } = await nearFull()
    w.simulator.state.setFaults([parseFaultRule('/api/v2/clusters/{cluster_id}/storage/=*403')])
    const { instance, count } = w.autopilot(policy({ limits: { ...policy().limits, cooldownSeconds: 60 } }))
    await w.minutes(30, instance)
    expect(w.puts).toEqual([target.id])
    expect(await count(target.id, 'refused')).toBe(1)
    expect(w.logs.find((l) => l['outcome'] === 'refused')).toMatchObject({
      level: 40,
      reason: expect.stringMatching(
        /HTTP 403 .*may not change this cluster; no further attempt until the configuration changes/
      )
    })
    expect(w.expansions(target)).toEqual([])
  })

  it('failed operation: reported as failed, the size stays, no retry within the cooldown', async () => {
    const { w, target, before } = await nearFull()
    w.simulator.state.settings.operationsFail = true
    const { instance, count } = w.autopilot(policy())
    await w.minutes(6, instance)
    await instance.settled()
    await w.minutes(30, instance)
    expect(await count(target.id, 'failed')).toBe(1)
    expect(w.logs.find((l) => l['outcome'] === 'failed')).toMatchObject({
      reason: 'the storage expansion operation FAILED'
    })
    expect(target.diskSizePerNodeBytes).toBe(before)
    expect(w.puts).toHaveLength(1)
  })

  it('an operation that never ends is followed for operation_timeout only, then reported failed', async () => {
    const { w, target } = await nearFull(0.9, { operationMs: 10 * HOUR })
    const { instance, count } = w.autopilot(
      policy({ operationTimeoutSeconds: 600, operationPollSeconds: 60 })
    )
    await w.minutes(6, instance)
    await instance.settled()
    expect(await count(target.id, 'failed')).toBe(1)
    expect(w.logs.find((l) => l['outcome'] === 'failed')?.['reason']).toMatch(
      /not SUCCEEDED or FAILED within 600 s \(last status: IN_PROGRESS\)/
    )
  })

  it('an exporter restarted mid-operation sees the running operation, then the cooldown, and never expands again', async () => {
    const { w, target } = await nearFull(0.9, { operationMs: 30 * MINUTE })
    const first = w.autopilot(policy())
    await w.minutes(5, first.instance)
    w.clock.advance(MINUTE)
    await first.instance.evaluate()
    expect(w.puts).toHaveLength(1)
    await first.instance.stop() // the process ends while the operation runs
    const second = w.autopilot(
      policy({ trigger: { fullestNodeAbove: 0.85, forSeconds: 60, floodStageWithinSeconds: null } })
    )
    await w.minutes(60, second.instance)
    await second.instance.settled()
    expect(w.puts).toHaveLength(1)
    expect(w.expansions(target)).toHaveLength(1)
    const reasons = w.logs.filter((l) => l['outcome'] === 'skipped').map((l) => l['reason'])
    expect(reasons).toContain('operation EXPAND_STORAGE is running')
    expect(reasons.some((r) => typeof r === 'string' && r.startsWith('cooldown'))).toBe(true)
  })

  it("two exporters with the same view: the second re-reads, sees the first one's operation and does not expand", async () => {
    const { w, target } = await nearFull()
    const a = w.autopilot(policy())
    const b = w.autopilot(policy())
    await w.minutes(5, a.instance, b.instance)
    w.clock.advance(MINUTE)
    await a.instance.evaluate()
    await b.instance.evaluate() // its inventory still shows no operation
    await Promise.all([a.instance.settled(), b.instance.settled()])
    expect(w.expansions(target)).toHaveLength(1)
    expect(await a.count(target.id, 'requested')).toBe(1)
    expect(await b.count(target.id, 'requested')).toBe(0)
    expect(await b.count(target.id, 'skipped')).toBe(1)
  })

  it('two exporters at the same instant: the API refuses the second request, never two expansions', async () => {
    const { w, target } = await nearFull()
    const a = w.autopilot(policy())
    const b = w.autopilot(policy())
    await w.minutes(5, a.instance, b.instance)
    w.clock.advance(MINUTE)
    await Promise.all([a.instance.evaluate(), b.instance.evaluate()])
    await Promise.all([a.instance.settled(), b.instance.settled()])
    expect(w.expansions(target)).toHaveLength(1)
    const requested = (await a.count(target.id, 'requested')) + (await b.count(target.id, 'requested'))
    expect(requested).toBe(1)
  })
})

describe('storage autopilot, products without custom storage', () => {
  it('never asks to expand a cluster whose product does not allow it', async () => {
    world = await startWorld()
    const w = world
    const sandbox = w.cluster('sandbox') // crfree: allow_custom_storage false
    w.usage.set(sandbox.id, [0.95])
    await w.refreshInventory()
    const { instance, count } = w.autopilot(policy())
    await w.minutes(8, instance)
    expect(w.puts).toEqual([])
    expect(await count(sandbox.id, 'skipped')).toBe(1)
    expect(w.logs.at(-1)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/allow_custom_storage is false/)
    })
  })
})
