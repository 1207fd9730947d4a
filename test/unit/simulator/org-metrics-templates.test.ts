import { describe, expect, it } from 'vitest'
import { renderChunks, TemplateCache } from '../../../src/simulator/org-metrics/render.js'
import { createFixture } from './fixture.js'

function body(chunks: Iterable<Buffer>): string {
  return Buffer.concat([...chunks]).toString('utf8')
}

describe('org metrics series texts kept between bodies', () => {
  it('gives the same bytes as a body rendered afresh, after clusters scale, go and come', () => {
    const f = createFixture()
    const org = f.state.organizations()[0]!
    const clusters = f.state.clusters({ organizationId: org.id })
    expect(clusters.length).toBeGreaterThanOrEqual(3)
    const [scaled, deleted] = clusters
    const cache = new TemplateCache()
    const first = body(renderChunks(f.state.snapshotOrg(org.id, f.clock.now())!, cache))

    f.clock.advance(61_000)
    f.state.scaleCluster(scaled!.id, scaled!.nodes.length + 1)
    f.state.deleteCluster(deleted!.id)
    const added = f.state.createCluster({ organizationId: org.id, name: 'a "new" \\ cluster é', numNodes: 3 })
    const snapshot = f.state.snapshotOrg(org.id, f.clock.now())!
    const kept = body(renderChunks(snapshot, cache))
    const fresh = body(renderChunks(snapshot, new TemplateCache()))

    expect(kept).toBe(fresh)
    expect(kept).not.toBe(first)
    expect(kept).toContain(
      `crate_ready{namespace="${added.namespace}",pod_name="crate-data-hot-${added.id}-2"} 1.0`
    )
    expect(kept).toContain(`pod_name="crate-data-hot-${scaled!.id}-${scaled!.nodes.length - 1}"`)
    expect(kept).not.toContain(deleted!.id)
    // Values move with the clock while the series texts are reused.
    const cpu = (text: string) =>
      /^container_cpu_usage_seconds_total\{container="crate".* (\S+) (\d+)$/m.exec(text)
    expect(Number(cpu(kept)![2])).toBe(Number(cpu(first)![2]) + 61_000)
  })

  it('ends every chunk with a whole line, so that each chunk decodes on its own', () => {
    const f = createFixture({
      scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 1, clusters: 40 }
    })
    const org = f.state.organizations()[0]!
    const chunks = [...renderChunks(f.state.snapshotOrg(org.id, f.clock.now())!)]
    expect(chunks.length).toBeGreaterThan(2)
    for (const chunk of chunks) expect(chunk.at(-1)).toBe(0x0a)
  })
})
