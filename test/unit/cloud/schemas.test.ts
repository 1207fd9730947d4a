import { describe, expect, it } from 'vitest'
import * as schemas from '../../../src/cloud/schemas.js'
import { SchemaError } from '../../../src/cloud/schemas.js'
import { cluster } from '../../helpers/builders.js'

/** What the client maps the documented example to. */
const mapped = cluster({
  hardware_specs: { ...cluster().hardware_specs!, cpus_per_node: 1.75 },
  health: { status: 'YELLOW', running_operation: 'SCALE', last_seen: '2024-10-01T12:34:56.789012' },
  last_async_operation: { id: 'op1', status: 'SUCCEEDED', type: 'SCALE' },
  allow_custom_storage: true
})

/** The documented example: the mapped fields, and fields the exporter does not read. */
const fullCluster = {
  ...mapped,
  fqdn: 'my-cluster.aks1.westeurope.azure.cratedb.net.',
  last_async_operation: { dc: {}, id: 'op1', status: 'SUCCEEDED', type: 'SCALE' },
  a_field_added_in_2027: { anything: [1, 2] }
}

function problem(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError)
    return (error as Error).message
  }
  throw new Error('expected a SchemaError')
}

describe('cluster', () => {
  it('maps the documented example, ignoring unknown fields', () => {
    expect(schemas.cluster(fullCluster, '')).toEqual(mapped)
  })

  it('accepts missing and null optional fields', () => {
    const minimal = {
      id: 'c',
      name: 'n',
      project_id: 'p',
      num_nodes: 1,
      suspended: true,
      hardware_specs: null,
      health: { status: 'SUSPENDED' }
    }
    expect(schemas.cluster(minimal, '')).toMatchObject({
      crate_version: null,
      deletion_protected: null,
      hardware_specs: null,
      last_async_operation: null,
      health: { status: 'SUSPENDED', running_operation: '', last_seen: null }
    })
    const nulls = {
      ...minimal,
      hardware_specs: { cpus_per_node: null },
      health: { status: 'GREEN', running_operation: null, last_seen: null }
    }
    expect(schemas.cluster(nulls, '')).toMatchObject({
      hardware_specs: { cpus_per_node: null, memory_per_node_bytes: null },
      health: { running_operation: '', last_seen: null }
    })
  })

  it('reports an unknown health status as UNKNOWN', () => {
    expect(schemas.cluster({ ...fullCluster, health: { status: 'PURPLE' } }, '').health.status).toBe(
      'UNKNOWN'
    )
  })

  it('normalises a zoned last_seen to naive UTC and rejects a non-timestamp', () => {
    const zoned = { ...fullCluster, health: { status: 'GREEN', last_seen: '2024-10-01T14:00:00+02:00' } }
    expect(schemas.cluster(zoned, '').health.last_seen).toBe('2024-10-01T12:00:00.000')
    const bad = { ...fullCluster, health: { status: 'GREEN', last_seen: 'yesterday' } }
    expect(problem(() => schemas.cluster(bad, ''))).toBe(
      'health.last_seen: expected an ISO timestamp or null, got "yesterday"'
    )
  })

  it.each([
    [{ ...fullCluster, num_nodes: '3' }, 'num_nodes: expected number, got "3"'],
    [{ ...fullCluster, id: undefined }, 'id: expected string, got nothing'],
    [{ ...fullCluster, suspended: null }, 'suspended: expected boolean, got null'],
    [{ ...fullCluster, hardware_specs: [] }, 'hardware_specs: expected object or null, got an array'],
    [{ ...fullCluster, health: { status: 3 } }, 'health.status: expected string, got 3'],
    [
      { ...fullCluster, last_async_operation: { id: 'x', type: 'SCALE' } },
      'last_async_operation.status: expected string, got nothing'
    ]
  ])('names the path of a wrong field (%#)', (input, message) => {
    expect(problem(() => schemas.cluster(input, ''))).toBe(message)
  })

  it('names the array index in lists', () => {
    const list = [fullCluster, { ...fullCluster, hardware_specs: { cpus_per_node: '2' } }]
    expect(problem(() => schemas.clusters(list, ''))).toBe(
      '[1].hardware_specs.cpus_per_node: expected number or null, got "2"'
    )
    expect(problem(() => schemas.clusters({ items: [] }, ''))).toBe('(root): expected array, got an object')
  })
})

describe('other objects', () => {
  it('current user, with roles defaulting to none', () => {
    expect(
      schemas.currentUser(
        {
          email: 'ops@example.com',
          username: 'ops',
          organization_roles: [{ organization_id: 'o', role_fqn: 'org_admin' }],
          hmac: 'x'
        },
        ''
      )
    ).toEqual({
      email: 'ops@example.com',
      username: 'ops',
      organization_roles: [{ organization_id: 'o', role_fqn: 'org_admin' }]
    })
    expect(schemas.currentUser({ email: 'a@b' }, '')).toEqual({
      email: 'a@b',
      username: null,
      organization_roles: []
    })
  })

  it('organizations and projects', () => {
    expect(schemas.organizations([{ id: 'o', name: 'org', dc: {}, plan_type: null }], '')).toEqual([
      { id: 'o', name: 'org', plan_type: null }
    ])
    expect(
      schemas.projects([{ id: 'p', name: 'proj', organization_id: 'o', backup_location: null }], '')
    ).toEqual([{ id: 'p', name: 'proj', organization_id: 'o', region: null }])
    expect(problem(() => schemas.organizations([{ id: 'o', name: 7 }], ''))).toBe(
      '[0].name: expected string, got 7'
    )
  })

  it('quotas', () => {
    expect(schemas.quotas([{ code: 'clusters', current_value: 2, quota: 10 }], '')).toEqual([
      { code: 'clusters', current_value: 2, quota: 10 }
    ])
    expect(problem(() => schemas.quotas([{ code: 'c', current_value: 2 }], ''))).toBe(
      '[0].quota: expected number, got nothing'
    )
  })

  it('current consumption (API notes §4.11)', () => {
    const body = {
      compute_consumption_this_month: [
        {
          product_name: 'cr1',
          consumption: { cost: 12.5, credits: 0, dtuhours: 30, minutes: 1800, total: 12.5 }
        }
      ],
      current_cost: { hourly: {}, monthly: {} },
      storage_consumption_this_month: {
        cost: 1.25,
        credits: 0,
        dtuhours: 0,
        gibhours: 720,
        minutes: 43200,
        total: 1.25
      }
    }
    expect(schemas.currentConsumption(body, '')).toEqual({
      compute: [{ product_name: 'cr1', consumption: { cost: 12.5, credits: 0, total: 12.5 } }],
      storage: { cost: 1.25, credits: 0, total: 1.25 }
    })
    expect(schemas.currentConsumption({}, '')).toEqual({ compute: [], storage: null })
    expect(
      problem(() => schemas.currentConsumption({ storage_consumption_this_month: { cost: 'free' } }, ''))
    ).toBe('storage_consumption_this_month.cost: expected number or null, got "free"')
  })
})
