import { describe, expect, it } from 'vitest'
import { GIB } from '../../../src/simulator/plans.js'
import { createFixture } from './fixture.js'

describe('simulator cluster operations', () => {
  it('expands storage through REGISTERED, SENT, IN_PROGRESS (suspended, no metrics) to SUCCEEDED, applying the change only then', async () => {
    const f = createFixture({ settings: { operationMs: 10_000 } })
    const cluster = f.clusterNamed('orders-prod')
    const before = cluster.diskSizePerNodeBytes
    const put = await f.send('PUT', `/api/v2/clusters/${cluster.id}/storage/`, {
      disk_size_per_node_bytes: before + 64 * GIB
    })
    expect(put.statusCode).toBe(200)
    expect(put.json().hardware_specs.disk_size_per_node_bytes).toBe(before)
    const seen: string[] = []
    for (let step = 0; step < 12; step++) {
      const body = (await f.get(`/api/v2/clusters/${cluster.id}/`)).json()
      const ops = (
        await f.get(`/api/v2/clusters/${cluster.id}/operations/?type=EXPAND_STORAGE&limit=1`)
      ).json().operations
      const status: string = ops[0].status
      if (seen[seen.length - 1] !== status) seen.push(status)
      if (status !== 'SUCCEEDED') {
        expect(body.health.running_operation).toBe('EXPAND_STORAGE')
        expect(body.hardware_specs.disk_size_per_node_bytes).toBe(before)
      }
      if (status === 'IN_PROGRESS') {
        expect(body.health.status).toBe('SUSPENDED')
        f.state.settings.rateLimitWindowMs = 0
        const text = (await f.get(f.orgMetricsUrl(cluster.organizationId))).body
        expect(text).not.toContain(cluster.id)
      }
      f.clock.advance(1000)
    }
    expect(seen).toEqual(['REGISTERED', 'SENT', 'IN_PROGRESS', 'SUCCEEDED'])
    const after = (await f.get(`/api/v2/clusters/${cluster.id}/`)).json()
    expect(after.hardware_specs.disk_size_per_node_bytes).toBe(before + 64 * GIB)
    expect(after.health).toMatchObject({ running_operation: '', status: 'GREEN' })
    expect(after.last_async_operation).toMatchObject({ type: 'EXPAND_STORAGE', status: 'SUCCEEDED' })
  })

  it('scales and suspends/resumes, answering the cluster as it was', async () => {
    const f = createFixture({ settings: { operationMs: 5000 } })
    const cluster = f.clusterNamed('events-stream')
    const scale = await f.send('PUT', `/api/v2/clusters/${cluster.id}/scale/`, { product_unit: 3 })
    expect(scale.json().num_nodes).toBe(2)
    expect(
      (await f.send('PUT', `/api/v2/clusters/${cluster.id}/suspend/`, { suspended: true })).statusCode
    ).toBe(400)
    f.clock.advance(5000)
    expect((await f.get(`/api/v2/clusters/${cluster.id}/`)).json()).toMatchObject({
      num_nodes: 4,
      product_unit: 3
    })
    const suspend = await f.send('PUT', `/api/v2/clusters/${cluster.id}/suspend/`, { suspended: true })
    expect(suspend.json().suspended).toBe(false)
    f.clock.advance(5000)
    expect((await f.get(`/api/v2/clusters/${cluster.id}/`)).json()).toMatchObject({
      suspended: true,
      health: { status: 'SUSPENDED' }
    })
    await f.send('PUT', `/api/v2/clusters/${cluster.id}/suspend/`, { suspended: false })
    f.clock.advance(5000)
    expect((await f.get(`/api/v2/clusters/${cluster.id}/`)).json()).toMatchObject({
      suspended: false,
      health: { status: 'YELLOW' }
    })
  })

  it('keeps the demo operation running', async () => {
    const f = createFixture()
    f.clock.advance(30 * 86_400_000)
    const body = (await f.get(`/api/v2/clusters/${f.clusterNamed('search-api').id}/`)).json()
    expect(body.health.running_operation).toBe('UPGRADE')
  })

  it('creates clusters (CREATE operation) and deletes them (204, then 404)', async () => {
    const f = createFixture({ settings: { operationMs: 4000 } })
    const org = f.state.organizations()[0]!
    const created = await f.send('POST', `/api/v2/organizations/${org.id}/clusters/`, {
      cluster: { name: 'brand-new', product_name: 'cr2', product_unit: 2, crate_version: '5.10.2' },
      subscription_id: 'sub'
    })
    expect(created.statusCode).toBe(201)
    const id: string = created.json().id
    expect(created.json()).toMatchObject({
      num_nodes: 3,
      health: { status: 'UNKNOWN', running_operation: 'CREATE' }
    })
    f.clock.advance(4000)
    expect((await f.get(`/api/v2/clusters/${id}/`)).json().health.status).toBe('GREEN')
    expect((await f.send('DELETE', `/api/v2/clusters/${id}/`)).statusCode).toBe(204)
    const gone = await f.get(`/api/v2/clusters/${id}/`)
    expect(gone.statusCode).toBe(404)
    expect(gone.json()).toEqual({ message: 'Resource not found.', success: false })
    const listed = (await f.get(`/api/v2/organizations/${org.id}/clusters/`)).json<{ id: string }[]>()
    expect(listed.map((c) => c.id)).not.toContain(id)
  })

  it('filters cluster lists by project, product and subscription', async () => {
    const f = createFixture()
    const project = f.state.projects()[1]!
    const list = (await f.get(`/api/v2/clusters/?project_id=${project.id}`)).json<{ project_id: string }[]>()
    expect(list.length).toBe(f.state.clusters({ projectId: project.id }).length)
    expect(list.every((c) => c.project_id === project.id)).toBe(true)
    const cr1 = (await f.get('/api/v2/clusters/?product_name=cr1')).json<{ product_name: string }[]>()
    expect(cr1.length).toBeGreaterThan(0)
    expect(cr1.every((c) => c.product_name === 'cr1')).toBe(true)
    const one = f.state.clusters()[0]!
    expect((await f.get(`/api/v2/clusters/?subscription_id=${one.subscriptionId}`)).json()).toHaveLength(1)
  })
})
