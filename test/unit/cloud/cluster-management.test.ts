import { describe, expect, it } from 'vitest'
import { failure, useMockCloud } from './mock-cloud.js'

const ID = '8d6a7c3c-61d5-11e9-a639-34e12d2331a1'
const CLUSTER = {
  id: ID,
  name: 'orders',
  project_id: 'p',
  num_nodes: 3,
  suspended: false,
  hardware_specs: { disk_size_per_node_bytes: 34359738368 },
  health: { status: 'GREEN', running_operation: '', last_seen: null }
}
const json = { headers: { 'content-type': 'application/json' } }

describe('cluster management calls of the API client', () => {
  const cloud = useMockCloud({ retry: { baseDelayMs: 1, maxDelayMs: 2 } })

  it('sends the storage expansion once as a JSON PUT with the key in use', async () => {
    cloud
      .pool()
      .intercept({
        path: `/api/v2/clusters/${ID}/storage/`,
        method: 'PUT',
        body: '{"disk_size_per_node_bytes":68719476736}',
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('k:s')}` }
      })
      .reply(200, CLUSTER, json)
    await cloud.client().expandStorage(ID, 68719476736, AbortSignal.timeout(5000))
  })

  it('turns a 403 into a refusal (reason client, status 403) without marking the key as failed', async () => {
    cloud
      .pool()
      .intercept({ path: `/api/v2/clusters/${ID}/storage/`, method: 'PUT' })
      .reply(403, { message: 'Forbidden', success: false }, json)
    const client = cloud.client()
    const error = await failure(client.expandStorage(ID, 1, AbortSignal.timeout(5000)))
    expect(error).toMatchObject({ reason: 'client', status: 403, code: 'CCE_API_CLIENT' })
    expect(error.message).toMatch(/may not change this cluster/)
    expect(client.credentials()[0]).toMatchObject({ lastOutcome: null })
    const failures = await cloud.metrics.registry.getSingleMetricAsString(
      'cratedb_cloud_api_credential_failures_total'
    )
    expect(failures).not.toMatch(/credential="main"} [1-9]/)
  })

  it('never retries a PUT, even on a 503 a GET would retry', async () => {
    cloud
      .pool()
      .intercept({ path: `/api/v2/clusters/${ID}/storage/`, method: 'PUT' })
      .reply(503, { message: 'busy', success: false }, json)
    const error = await failure(cloud.client().expandStorage(ID, 1, AbortSignal.timeout(5000)))
    expect(error).toMatchObject({ reason: 'server', status: 503 })
    expect(cloud.agent.getCallHistory()?.calls()).toHaveLength(1)
  })

  it('reads one cluster and its operations, newest first, with their creation times', async () => {
    cloud
      .pool()
      .intercept({ path: `/api/v2/clusters/${ID}/` })
      .reply(200, CLUSTER, json)
    cloud
      .pool()
      .intercept({ path: `/api/v2/clusters/${ID}/operations/` })
      .reply(
        200,
        {
          operations: [
            {
              id: 'op-2',
              type: 'EXPAND_STORAGE',
              status: 'IN_PROGRESS',
              dc: {
                created: '2026-05-13T10:00:00.000000+00:00',
                modified: '2026-05-13T10:00:02.000000+00:00'
              },
              entity: 'CLUSTER',
              entity_id: ID,
              feedback_data: {},
              non_sensitive_data: {}
            },
            { id: 'op-1', type: 'SCALE', status: 'SUCCEEDED', dc: null }
          ]
        },
        json
      )
    const client = cloud.client()
    expect(
      (await client.cluster(ID, AbortSignal.timeout(5000))).hardware_specs?.disk_size_per_node_bytes
    ).toBe(34359738368)
    expect(await client.clusterOperations(ID, AbortSignal.timeout(5000))).toEqual([
      {
        id: 'op-2',
        type: 'EXPAND_STORAGE',
        status: 'IN_PROGRESS',
        created: '2026-05-13T10:00:00.000000+00:00'
      },
      { id: 'op-1', type: 'SCALE', status: 'SUCCEEDED', created: null }
    ])
  })
})
