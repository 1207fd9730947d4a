/**
 * The storage autopilot end to end: the simulator's demo scenario on loopback, the real exporter
 * (config file, collectors, API client, autopilot, server) against it, in dry-run and in apply mode.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { parsePromText } from '../../../src/prom-text/index.js'
import { scrape, startTestExporter, waitFor, type TestExporter } from '../../helpers/exporter.js'
import { startTestSimulator, type RunningSimulator } from '../../helpers/simulator.js'

const dir = mkdtempSync(join(tmpdir(), 'cce-autopilot-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let simulator: RunningSimulator | undefined
let exporter: TestExporter | undefined
afterEach(async () => {
  await exporter?.close()
  await simulator?.close()
  exporter = undefined
  simulator = undefined
})

function policyFile(mode: 'dry_run' | 'apply'): string {
  const file = join(dir, `${mode}.yaml`)
  writeFileSync(
    file,
    [
      'autopilot:',
      '  storage:',
      `    mode: ${mode}`,
      '    interval: 1s',
      '    trigger:',
      '      fullest_node_above: 0.85',
      '      for: 2s',
      '    step: 25%',
      '    limits:',
      '      max_disk_size_per_node: 64TiB',
      '      cooldown: 1h',
      '    stale_after: 30s',
      '    operation_poll_interval: 1s',
      '    operation_timeout: 60s',
      ''
    ].join('\n')
  )
  return file
}

async function start(mode: 'dry_run' | 'apply'): Promise<{ sim: RunningSimulator; exp: TestExporter }> {
  simulator = await startTestSimulator({ settings: { rateLimitWindowMs: 200, operationMs: 3000 } })
  exporter = await startTestExporter(simulator, {
    flags: {
      'config.file': policyFile(mode),
      'collector.org_metrics.interval': '1s',
      'collector.inventory.interval': '1s'
    }
  })
  return { sim: simulator, exp: exporter }
}

type Samples = ReturnType<typeof parsePromText>['samples']
const valueOf = (samples: Samples, name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value

const logLines = (exp: TestExporter): Record<string, unknown>[] =>
  exp.logs.map((line) => JSON.parse(line) as Record<string, unknown>)

describe('storage autopilot against the simulator (demo scenario)', () => {
  it('in dry-run reports the near-full cluster, shows it on the status page and sends no PUT', async () => {
    const { sim, exp } = await start('dry_run')
    const target = sim.state.clusters().find((c) => c.name === 'telemetry-archive')!
    await waitFor('a dry-run decision', () => logLines(exp).some((l) => l['outcome'] === 'dry_run'), 30_000)
    const id = { cluster_id: target.id, cluster_name: target.name }
    // /metrics is rendered once per poll: the counter shows from the next rendering on
    await waitFor('the dry_run count in /metrics', async () => {
      const samples = parsePromText(await scrape(exp)).samples
      return (
        valueOf(samples, 'cratedb_cloud_autopilot_storage_actions_total', { ...id, outcome: 'dry_run' }) === 1
      )
    })
    expect(
      logLines(exp)
        .filter((l) => l['outcome'] === 'dry_run')
        .map((l) => l['cluster_name'])
    ).toEqual(['telemetry-archive'])
    for (const cluster of sim.state.clusters())
      expect(cluster.operations.filter((op) => op.type === 'EXPAND_STORAGE')).toEqual([])
    const page = await (await fetch(`${exp.url}/`)).text()
    expect(page).toContain('<h2>Storage autopilot</h2>')
    expect(page).toContain('reports what it would do; sends no change')
    expect(page).toMatch(/telemetry-archive<\/td>\s*<td><span class="badge other">dry_run<\/span>/)
  })

  it('in apply expands that cluster once, follows it to SUCCEEDED, and the new capacity is exported', async () => {
    const { sim, exp } = await start('apply')
    const target = sim.state.clusters().find((c) => c.name === 'telemetry-archive')!
    const before = target.diskSizePerNodeBytes
    const after = Math.ceil((before * 1.25) / 1024 ** 3) * 1024 ** 3
    const id = { cluster_id: target.id, cluster_name: target.name }
    await waitFor(
      'the expansion to succeed',
      () => logLines(exp).some((l) => l['outcome'] === 'succeeded'),
      40_000
    )
    await waitFor(
      'the new capacity in /metrics',
      async () =>
        valueOf(
          parsePromText(await scrape(exp)).samples,
          'cratedb_cloud_cluster_storage_capacity_bytes',
          id
        ) ===
        after * target.nodes.length,
      20_000
    )
    // the fullest node is back under the 85 % watermark once the next metrics poll sees the new disk
    await waitFor(
      'node utilization under 85 %',
      async () => {
        const samples = parsePromText(await scrape(exp)).samples.filter(
          (s) =>
            s.name === 'cratedb_cloud_node_storage_utilization_ratio' && s.labels['cluster_id'] === target.id
        )
        return samples.length > 0 && samples.every((s) => s.value < 0.85)
      },
      20_000
    )
    const samples = parsePromText(await scrape(exp)).samples
    expect(
      valueOf(samples, 'cratedb_cloud_autopilot_storage_actions_total', { ...id, outcome: 'requested' })
    ).toBe(1)
    expect(
      valueOf(samples, 'cratedb_cloud_autopilot_storage_actions_total', { ...id, outcome: 'succeeded' })
    ).toBe(1)
    expect(
      target.operations.filter((op) => op.type === 'EXPAND_STORAGE').map((op) => op.nonSensitiveData)
    ).toEqual([{ current_disk_size_bytes: before, target_disk_size_bytes: after }])
    for (const cluster of sim.state.clusters())
      if (cluster.id !== target.id)
        expect(
          cluster.operations.filter((op) => op.type === 'EXPAND_STORAGE'),
          cluster.name
        ).toEqual([])
    const requested = logLines(exp).find((l) => l['outcome'] === 'requested')
    expect(requested).toMatchObject({ component: 'autopilot', from_bytes: before, to_bytes: after })
    // secrets never in the log
    const credential = sim.state.credentials()[0]!
    expect(exp.logs.join('\n')).not.toContain(credential.secret)
  })
})
