import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  buildSimulatorApp,
  createSimulatorClock,
  createSimulatorState
} from '../../../src/simulator/index.js'
import { sharedFile } from '../../helpers/environment.js'
import { familyOrder, labelNameSets, parseSamples, type Sample } from './prom-text.js'

const capturePath = sharedFile('org-metrics-capture.prom')
const NOW = 1_778_668_460_000

/** Every trait of the real org-metrics body (shared README), measured on the capture and on the simulator. */
describe.skipIf(capturePath === undefined)('org metrics body: traits of the real capture', () => {
  let captureText: string
  let capture: Sample[]
  let bodyText: string
  let body: Sample[]
  let state: ReturnType<typeof createSimulatorState>

  beforeAll(async () => {
    captureText = readFileSync(capturePath!, 'utf8')
    capture = parseSamples(captureText)
    state = createSimulatorState({ seed: 7, clock: createSimulatorClock({ manual: true, startMs: NOW }) })
    const app = buildSimulatorApp(state, { adminToken: 't' })
    const credential = state.credentials()[0]!
    const org = state.organizations()[0]!
    const response = await app.inject({
      url: `/api/v2/organizations/${org.id}/metrics/prometheus/`,
      headers: {
        authorization: `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`
      }
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain/)
    bodyText = response.body
    body = parseSamples(bodyText)
  })

  it('has the same metric families as the capture, and no others', () => {
    expect([...new Set(body.map((s) => s.family))].sort()).toEqual(
      [...new Set(capture.map((s) => s.family))].sort()
    )
  })

  it('has, per family, exactly the label-name sets of the capture', () => {
    const expected = labelNameSets(capture)
    const actual = labelNameSets(body)
    for (const [family, sets] of expected)
      expect([...(actual.get(family) ?? [])].sort(), family).toEqual([...sets].sort())
  })

  it('has no HELP or TYPE lines, like the capture', () => {
    expect(captureText.split('\n').some((line) => line.startsWith('#'))).toBe(false)
    expect(bodyText.split('\n').some((line) => line.startsWith('#'))).toBe(false)
  })

  it('sorts families by name, each in one block', () => {
    for (const samples of [capture, body]) {
      const order = familyOrder(samples)
      expect(new Set(order).size).toBe(order.length)
      expect(order).toEqual([...order].sort())
    }
  })

  it('sorts label names on every line', () => {
    for (const samples of [capture, body])
      for (const sample of samples) expect(sample.labelNames).toEqual([...sample.labelNames].sort())
  })

  it('prints every value as a float', () => {
    const float = /^-?\d+\.\d+$/
    expect(capture.every((s) => float.test(s.rawValue))).toBe(true)
    expect(body.filter((s) => !float.test(s.rawValue)).map((s) => s.rawValue)).toEqual([])
    expect(body.some((s) => s.rawValue === '-1.0')).toBe(true)
    expect(body.some((s) => s.rawValue === '0.0')).toBe(true)
  })

  it('stamps every sample in milliseconds, a little older than the request (within 25 s)', () => {
    const captureTimes = capture.map((s) => s.timestampMs!)
    expect(Math.max(...captureTimes) - Math.min(...captureTimes)).toBeLessThan(25_000)
    for (const sample of body) {
      expect(sample.timestampMs).not.toBeNull()
      expect(String(sample.timestampMs)).toHaveLength(13)
      expect(sample.timestampMs!).toBeLessThan(NOW)
      expect(NOW - sample.timestampMs!).toBeLessThanOrEqual(25_000)
    }
  })

  it('ends with the same run of blank lines as the capture', () => {
    const trailing = (text: string): number => text.length - text.trimEnd().length
    expect(trailing(captureText)).toBeGreaterThan(1)
    expect(trailing(bodyText)).toBe(trailing(captureText))
  })

  it('uses pod for cAdvisor families and pod_name for CrateDB/JVM families, as the capture does', () => {
    const podLabel = (samples: Sample[]): Map<string, string> => {
      const map = new Map<string, string>()
      for (const s of samples)
        if (s.family !== 'cloud_clusters_health') map.set(s.family, 'pod' in s.labels ? 'pod' : 'pod_name')
      return map
    }
    expect(podLabel(body)).toEqual(podLabel(capture))
  })

  it('has the sidecar containers and pods, and pod-level rows without a container label', () => {
    const containers = (samples: Sample[]): string[] =>
      [...new Set(samples.map((s) => s.labels['container']).filter((c) => c !== undefined))].sort()
    expect(containers(body)).toEqual(containers(capture))
    const podKinds = (samples: Sample[]): string[] =>
      [
        ...new Set(
          samples.map((s) => (s.labels['pod'] ?? s.labels['pod_name'] ?? '').split('-').slice(0, 2).join('-'))
        )
      ].sort()
    expect(podKinds(body)).toEqual(
      expect.arrayContaining(podKinds(capture).filter((kind) => kind !== 'crate-operator'))
    )
    expect(
      body.some(
        (s) =>
          s.family === 'container_cpu_usage_seconds_total' &&
          !('container' in s.labels) &&
          !('name' in s.labels)
      )
    ).toBe(true)
    expect(body.some((s) => s.labels['cratedb'] === 'shared')).toBe(true)
  })

  it('repeats a shard_info series for several shards of one table on one node, as the capture does', () => {
    const duplicates = (samples: Sample[]): number => {
      const seen = new Set<string>()
      let count = 0
      for (const s of samples.filter((x) => x.family === 'crate_node')) {
        const key = JSON.stringify(s.labels)
        if (seen.has(key)) count++
        seen.add(key)
      }
      return count
    }
    expect(duplicates(capture)).toBeGreaterThan(0)
    expect(duplicates(body)).toBeGreaterThan(0)
  })

  it('maps cluster_id to cluster_name in cloud_clusters_health for every running cluster, and shows every node', () => {
    const org = state.organizations()[0]!
    const running = state.clusters({ organizationId: org.id }).filter((c) => state.isEmitting(c))
    const suspended = state.clusters({ organizationId: org.id }).filter((c) => !state.isEmitting(c))
    expect(suspended.length).toBeGreaterThan(0)
    const health = body.filter((s) => s.family === 'cloud_clusters_health')
    expect(health.map((s) => [s.labels['cluster_id'], s.labels['cluster_name']]).sort()).toEqual(
      running.map((c) => [c.id, c.name]).sort()
    )
    const crateCpuPods = new Set(
      body
        .filter((s) => s.family === 'container_cpu_usage_seconds_total' && s.labels['container'] === 'crate')
        .map((s) => s.labels['pod'])
    )
    const expected = running.flatMap((c) => c.nodes.map((n) => `crate-data-hot-${c.id}-${n.ordinal}`))
    expect([...crateCpuPods].sort()).toEqual(expected.sort())
    for (const c of suspended) expect(bodyText).not.toContain(c.id)
  })
})
