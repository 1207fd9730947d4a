import { describe, expect, it } from 'vitest'
import { createSimulatorClock } from '../../src/simulator/index.js'
import type { SimCluster } from '../../src/simulator/index.js'
import { firstCredential, startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'
import { spawnExporter, type ExporterProcess } from './child.js'
import { readExposition, sleep, type Scraped } from './support.js'

/**
 * 24 simulated hours on the simulator's accelerated clock while clusters are created, deleted, suspended,
 * resumed, scaled and their storage expanded. The built exporter runs in its own process and polls every
 * second. After every change: the exported clusters and nodes are exactly the live ones (no series left
 * behind for a deleted cluster, anywhere), and after warm-up the exporter's RSS stays within 5 %.
 *
 * Default: about 60 s of real time. SOAK_FULL=1: about 5 minutes (SOAK_SECONDS overrides either).
 */

const FULL = process.env['SOAK_FULL'] === '1'
const REAL_SECONDS = Number(process.env['SOAK_SECONDS'] ?? (FULL ? 300 : 60))
const SIMULATED_MS = 24 * 3600 * 1000
const SPEED = SIMULATED_MS / 1000 / REAL_SECONDS
// The exporter's RSS climbs while V8 sizes its heap at the start, then stays flat: the drift is read
// after the first 40 % of the run.
const WARM_UP = 0.4
// RSS is read every 250 ms for the whole run; the drift compares the median of the first third after
// warm-up with the median of the last third, so that one garbage collection's swing does not decide it.
// The full soak holds the exporter to 5 %; the 60-second run in npm test, with fewer samples per third,
// clusters coming and going, and the rest of the suite on the same two cores (which keeps V8 growing its
// heap for longer), to 25 %: a guard against a gross leak; the full soak is the check.
const MAX_RSS_DRIFT = FULL ? 0.05 : 0.25
const RSS_SAMPLE_MS = 250

interface Check {
  readonly atS: number
  readonly series: number
  readonly clusters: number
  readonly nodes: number
}

function liveNodes(sim: RunningSimulator): Set<string> {
  return new Set(
    sim.state
      .clusters()
      .filter((c) => sim.state.isEmitting(c))
      .flatMap((c) => c.nodes.map((node) => `${c.id}/${node.ordinal}`))
  )
}

function exportedNodes(s: Scraped): Set<string> {
  return new Set(
    s
      .series('cratedb_cloud_node_cpu_seconds_total')
      .map((labels) => `${labels['cluster_id']}/${/(\d+)$/.exec(labels['node'] ?? '')?.[1] ?? '?'}`)
  )
}

/** Every cluster_id on any sample of any family. */
function clusterIdsAnywhere(s: Scraped): Set<string> {
  return new Set(
    s.parsed.samples.map((sample) => sample.labels['cluster_id']).filter((id) => id !== undefined)
  )
}

const sorted = (set: Set<string>): string[] => [...set].sort()

function mutate(
  sim: RunningSimulator,
  step: number,
  pick: (list: SimCluster[]) => SimCluster | undefined
): string {
  const state = sim.state
  const clusters = state.clusters()
  const running = clusters.filter((c) => !c.suspended)
  switch (step % 6) {
    case 0: {
      const organization = state.organizations()[step % state.organizations().length]!
      const created = state.createCluster({
        organizationId: organization.id,
        name: `soak-${step}`,
        productName: 'cr2',
        numNodes: 1 + (step % 3)
      })
      return `create ${created.name}`
    }
    case 1: {
      const target = pick(running)
      if (target === undefined) return 'scale: none running'
      state.scaleCluster(target.id, 1 + ((target.nodes.length + 1) % 4))
      return `scale ${target.name} to ${target.nodes.length}`
    }
    case 2: {
      const target = pick(running)
      if (target === undefined) return 'suspend: none running'
      state.suspendCluster(target.id, true)
      return `suspend ${target.name}`
    }
    case 3: {
      const target = pick(clusters.filter((c) => c.suspended))
      if (target === undefined) return 'resume: none suspended'
      state.suspendCluster(target.id, false)
      return `resume ${target.name}`
    }
    case 4: {
      const target = pick(clusters)
      if (target === undefined) return 'expand: none'
      target.diskSizePerNodeBytes = Math.round(target.diskSizePerNodeBytes * 1.25)
      return `expand storage of ${target.name}`
    }
    default: {
      const soak = clusters.filter((c) => c.name.startsWith('soak-'))
      const target = soak[0] ?? pick(clusters)
      if (target === undefined) return 'delete: none'
      state.deleteCluster(target.id)
      return `delete ${target.name}`
    }
  }
}

describe('soak', () => {
  it(
    `24 simulated hours in ${REAL_SECONDS} s: series follow the live clusters, RSS stays flat`,
    { timeout: (REAL_SECONDS + 60) * 1000 },
    async () => {
      const sim = await startTestSimulator({
        scenario: { kind: 'generated', organizations: 2, projectsPerOrganization: 2, clusters: 5 },
        clock: createSimulatorClock({ speed: SPEED }),
        settings: { operationMs: 1000 }
      })
      const { key, secret } = firstCredential(sim)
      let exporter: ExporterProcess | undefined
      let sampler: ReturnType<typeof setInterval> | undefined
      try {
        exporter = await spawnExporter(
          [
            `--api.url=${sim.url}`,
            '--collector.inventory.interval=1s',
            '--collector.org_metrics.interval=1s',
            // The simulator's minute, in real time.
            `--api.org-metrics-window=${Math.round(60_000 / SPEED)}ms`,
            '--log.level=error'
          ],
          {
            CRATEDB_CLOUD_API_KEY: key,
            CRATEDB_CLOUD_API_SECRET: secret,
            CRATEDB_CLOUD_EXPORTER_LOG_FORMAT: 'json'
          }
        )
        const running = exporter
        const started = Date.now()
        const simStart = sim.state.clock.now()
        let seed = 7
        const pick = <T>(list: T[]): T | undefined => {
          seed = (seed * 48271) % 2147483647
          return list[seed % Math.max(1, list.length)]
        }
        const checks: Check[] = []
        const rssSamples: { atS: number; rss: number }[] = []
        sampler = setInterval(() => {
          const rss = running.rss()
          if (rss !== null) rssSamples.push({ atS: (Date.now() - started) / 1000, rss })
        }, RSS_SAMPLE_MS)
        let step = 0
        while (sim.state.clock.now() - simStart < SIMULATED_MS) {
          const change = mutate(sim, step++, pick)
          // Converged: the exporter shows exactly the live clusters and nodes, and no other cluster anywhere.
          const deadline = Date.now() + 6000
          let s: Scraped
          for (;;) {
            s = readExposition(await (await fetch(`${running.url}/metrics`)).text())
            const live = new Set(sim.state.clusters().map((c) => c.id))
            const info = new Set(s.series('cratedb_cloud_cluster_info').map((l) => l['cluster_id']!))
            const same =
              sorted(info).join() === sorted(live).join() &&
              sorted(clusterIdsAnywhere(s)).join() === sorted(live).join() &&
              sorted(exportedNodes(s)).join() === sorted(liveNodes(sim)).join()
            if (same) break
            if (Date.now() > deadline) {
              expect.soft(sorted(info), `after "${change}" (step ${step})`).toEqual(sorted(live))
              expect(sorted(clusterIdsAnywhere(s)), `after "${change}"`).toEqual(sorted(live))
              expect(sorted(exportedNodes(s)), `after "${change}"`).toEqual(sorted(liveNodes(sim)))
            }
            await sleep(100)
          }
          expect(s.parsed.invalid.count).toBe(0)
          checks.push({
            atS: (Date.now() - started) / 1000,
            series: s.parsed.samples.length,
            clusters: s.series('cratedb_cloud_cluster_info').length,
            nodes: exportedNodes(s).size
          })
        }
        clearInterval(sampler)
        const { code } = await running.stop()
        expect(code).toBe(0)

        const elapsed = (Date.now() - started) / 1000
        const afterWarmUp = rssSamples.filter((sample) => sample.atS >= elapsed * WARM_UP)
        const median = (values: number[]): number =>
          [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
        const third = Math.max(1, Math.floor(afterWarmUp.length / 3))
        const rssWarm = median(afterWarmUp.slice(0, third).map((sample) => sample.rss))
        const rssEnd = median(afterWarmUp.slice(-third).map((sample) => sample.rss))
        const drift = (rssEnd - rssWarm) / rssWarm
        const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
        const seriesCounts = checks.map((c) => c.series)
        console.log(
          [
            `soak: ${(SIMULATED_MS / 3_600_000).toFixed(0)} simulated hours in ${elapsed.toFixed(0)} s (x${SPEED.toFixed(0)}), ${checks.length} changes, each checked`,
            `  RSS (${rssSamples.length} readings, every ${RSS_SAMPLE_MS} ms): first ${mb(rssSamples[0]?.rss ?? 0)} MiB, median of the first third after warm-up ${mb(rssWarm)} MiB, of the last third ${mb(rssEnd)} MiB, drift ${(drift * 100).toFixed(1)} %`,
            `  series: min ${Math.min(...seriesCounts)}, max ${Math.max(...seriesCounts)}, last ${seriesCounts.at(-1)}; clusters last ${checks.at(-1)!.clusters}, nodes last ${checks.at(-1)!.nodes}`
          ].join('\n')
        )
        expect(checks.length).toBeGreaterThan(8)
        if (process.platform === 'linux') {
          expect(rssSamples.length, 'RSS readings of the exporter process').toBeGreaterThan(30)
          // Growth is what a leak looks like; V8 handing memory back (a negative drift) is not.
          expect(drift).toBeLessThan(MAX_RSS_DRIFT)
        } else console.log(`soak: RSS not checked: no /proc on ${process.platform}`)
      } finally {
        clearInterval(sampler)
        if (exporter !== undefined && exporter.child.exitCode === null) exporter.child.kill('SIGKILL')
        await sim.close()
      }
    }
  )
})
