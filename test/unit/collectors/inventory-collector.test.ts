import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { CloudApi } from '../../../src/cloud/api.js'
import type { Cluster } from '../../../src/cloud/types.js'
import { createDirectoryStore } from '../../../src/collectors/directory.js'
import { MATCH_ALL } from '../../../src/collectors/inventory/filters.js'
import { createInventoryCollector, PROJECT_REFRESH_MS } from '../../../src/collectors/inventory/collector.js'
import { cluster, organization, project } from '../../helpers/builders.js'

function fakeApi(clusters: () => Cluster[]) {
  const calls = { organizations: 0, projects: 0, clusters: 0 }
  const api = {
    organizations: () => {
      calls.organizations++
      return Promise.resolve([organization()])
    },
    organizationProjects: () => {
      calls.projects++
      return Promise.resolve([project(), project({ id: 'p2', name: 'second' })])
    },
    organizationClusters: () => {
      calls.clusters++
      return Promise.resolve(clusters())
    }
  } as unknown as CloudApi
  return { api, calls }
}

describe('inventory collector', () => {
  it('lists projects again only for an unknown project or after the refresh period', async () => {
    let now = 0
    let current = [cluster()]
    const { api, calls } = fakeApi(() => current)
    const directory = createDirectoryStore()
    const inventory = createInventoryCollector({
      api,
      logger: pino({ level: 'silent' }),
      clock: { now: () => now },
      directory,
      filters: { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }
    })
    const signal = new AbortController().signal
    for (let i = 0; i < 3; i++) await inventory.collect(signal)
    expect(calls).toEqual({ organizations: 3, projects: 1, clusters: 3 })
    expect(directory.current().clusters.get(cluster().id)?.project?.name).toBe('my-project')

    current = [cluster(), cluster({ id: 'c2', name: 'new', project_id: 'p3' })]
    await inventory.collect(signal)
    expect(calls.projects).toBe(2)

    current = [cluster({ id: 'c2', name: 'moved', project_id: 'p2' })]
    await inventory.collect(signal)
    expect(calls.projects).toBe(2)
    expect(directory.current().clusters.get('c2')?.project?.name).toBe('second')

    now += PROJECT_REFRESH_MS
    await inventory.collect(signal)
    expect(calls.projects).toBe(3)
  })
})
