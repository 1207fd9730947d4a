import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  METRIC_IDS,
  buildSimulatorApp,
  createSimulatorClock,
  createSimulatorState,
  type ScenarioSpec
} from '../../../src/simulator/index.js'
import { sharedFile } from '../../helpers/environment.js'
import { createOpenApiValidator } from './openapi-validator.js'

const openapiPath = sharedFile('openapi-v1.0.0.json')

interface Call {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE'
  url: string
  template: string
  status: number
  body?: object
  auth?: boolean
}

const scenarios: [string, ScenarioSpec][] = [
  ['demo', { kind: 'demo' }],
  [
    'generated',
    { kind: 'generated', organizations: 2, projectsPerOrganization: 2, clusters: 12, shardsPerNode: 10 }
  ]
]

function calls(state: ReturnType<typeof createSimulatorState>): Call[] {
  const list: Call[] = []
  const get = (url: string, template: string, status = 200): void =>
    void list.push({ method: 'GET', url, template, status })
  const unknown = '00000000-0000-4000-8000-000000000000'
  get('/api/v2/users/me/', '/api/v2/users/me/')
  list.push({
    method: 'GET',
    url: '/api/v2/users/me/',
    template: '/api/v2/users/me/',
    status: 401,
    auth: false
  })
  get('/api/v2/organizations/', '/api/v2/organizations/')
  get(`/api/v2/organizations/${unknown}/`, '/api/v2/organizations/{organization_id}/', 404)
  get('/api/v2/projects/', '/api/v2/projects/')
  get(`/api/v2/projects/${unknown}/`, '/api/v2/projects/{project_id}/', 404)
  get('/api/v2/regions/', '/api/v2/regions/')
  get('/api/v2/regions/?organization_id=nope', '/api/v2/regions/', 400)
  get('/api/v2/clusters/', '/api/v2/clusters/')
  get('/api/v2/clusters/?project_id=nope', '/api/v2/clusters/', 400)
  get('/api/v2/clusters/?product_name=cr1', '/api/v2/clusters/')
  get(`/api/v2/clusters/${unknown}/`, '/api/v2/clusters/{cluster_id}/', 404)
  for (const org of state.organizations()) {
    get(`/api/v2/organizations/${org.id}/`, '/api/v2/organizations/{organization_id}/')
    get(`/api/v2/organizations/${org.id}/projects/`, '/api/v2/organizations/{organization_id}/projects/')
    get(`/api/v2/organizations/${org.id}/regions/`, '/api/v2/organizations/{organization_id}/regions/')
    get(`/api/v2/organizations/${org.id}/clusters/`, '/api/v2/organizations/{organization_id}/clusters/')
    get(`/api/v2/organizations/${org.id}/quotas/`, '/api/v2/organizations/{organization_id}/quotas/')
    get(
      `/api/v2/organizations/${org.id}/consumption/current-month/`,
      '/api/v2/organizations/{organization_id}/consumption/current-month/'
    )
  }
  for (const project of state.projects()) {
    get(`/api/v2/projects/${project.id}/`, '/api/v2/projects/{project_id}/')
    get(`/api/v2/projects/${project.id}/clusters/`, '/api/v2/projects/{project_id}/clusters/')
    get(`/api/v2/clusters/?project_id=${project.id}`, '/api/v2/clusters/')
  }
  for (const cluster of state.clusters()) {
    get(`/api/v2/clusters/${cluster.id}/`, '/api/v2/clusters/{cluster_id}/')
    get(`/api/v2/clusters/${cluster.id}/operations/`, '/api/v2/clusters/{cluster_id}/operations/')
  }
  const running = state.clusters().find((c) => state.isEmitting(c) && c.plan.dedicated)!
  const template = '/api/v2/clusters/{cluster_id}/metrics/{metric_id}/'
  for (const metric of METRIC_IDS)
    get(`/api/v2/clusters/${running.id}/metrics/${metric}/?minutes_ago=30`, template)
  get(`/api/v2/clusters/${running.id}/metrics/crate_nope/`, template, 404)
  get(`/api/v2/clusters/${running.id}/metrics/crate_cpu_seconds/?minutes_ago=soon`, template, 400)
  get(
    `/api/v2/clusters/${running.id}/operations/?start=yesterday`,
    '/api/v2/clusters/{cluster_id}/operations/',
    400
  )
  const put = (suffix: string, body: object, status = 200): void =>
    void list.push({
      method: 'PUT',
      url: `/api/v2/clusters/${running.id}/${suffix}/`,
      template: `/api/v2/clusters/{cluster_id}/${suffix}/`,
      status,
      body
    })
  put('storage', { disk_size_per_node_bytes: 'big' }, 400)
  put('storage', { disk_size_per_node_bytes: running.diskSizePerNodeBytes }, 400) // not larger
  put('storage', { disk_size_per_node_bytes: running.diskSizePerNodeBytes * 2 })
  put('scale', { product_unit: 1 }, 400) // an operation is running now
  put('suspend', { suspended: true }, 400)
  const org = state.organizations()[0]!
  const createTemplate = '/api/v2/organizations/{organization_id}/clusters/'
  list.push({
    method: 'POST',
    url: `/api/v2/organizations/${org.id}/clusters/`,
    template: createTemplate,
    status: 400,
    body: { cluster: {} }
  })
  list.push({
    method: 'POST',
    url: `/api/v2/organizations/${org.id}/clusters/`,
    template: createTemplate,
    status: 201,
    body: {
      cluster: {
        name: 'fresh-one',
        product_name: 'cr1',
        product_tier: 'default',
        product_unit: 1,
        crate_version: '5.10.2',
        username: 'admin',
        password: 'x'.repeat(24)
      },
      subscription_id: 'sub-1'
    }
  })
  list.push({
    method: 'DELETE',
    url: `/api/v2/clusters/${running.id}/`,
    template: '/api/v2/clusters/{cluster_id}/',
    status: 204
  })
  get(`/api/v2/clusters/${running.id}/`, '/api/v2/clusters/{cluster_id}/', 404)
  return list
}

describe.skipIf(openapiPath === undefined)(
  'every JSON body validates against the official OpenAPI document',
  () => {
    let validator: ReturnType<typeof createOpenApiValidator>
    /** Every property name the document knows; an extra field is one outside this list. */
    const validatorKeys: string[] = []
    beforeAll(() => {
      validator = createOpenApiValidator(openapiPath!)
      const walk = (node: unknown): void => {
        if (node === null || typeof node !== 'object') return
        const properties = (node as Record<string, unknown>)['properties']
        if (properties !== null && typeof properties === 'object')
          validatorKeys.push(...Object.keys(properties))
        for (const value of Object.values(node)) walk(value)
      }
      walk(JSON.parse(readFileSync(openapiPath!, 'utf8')))
    })
    for (const [name, scenario] of scenarios)
      for (const extraFields of [false, true])
        it(`${name} scenario, extra fields ${extraFields ? 'on' : 'off'}`, async () => {
          const state = createSimulatorState({
            seed: 3,
            scenario,
            clock: createSimulatorClock({ manual: true, startMs: Date.UTC(2026, 4, 13, 10) }),
            settings: { extraFields }
          })
          const app = buildSimulatorApp(state, { adminToken: 't' })
          const credential = state.credentials()[0]!
          const authorization = `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`
          let checked = 0
          for (const call of calls(state)) {
            const response = await app.inject({
              method: call.method,
              url: call.url,
              headers: call.auth === false ? {} : { authorization },
              ...(call.body === undefined ? {} : { payload: call.body })
            })
            expect(response.statusCode, `${call.method} ${call.url}: ${response.body.slice(0, 200)}`).toBe(
              call.status
            )
            if (call.status === 204) {
              expect(response.body).toBe('')
              continue
            }
            expect(response.headers['content-type']).toMatch(/^application\/json/)
            const body: unknown = response.json()
            expect(
              validator.validate(call.template, call.method, call.status, body),
              `${call.method} ${call.url}`
            ).toEqual([])
            if (extraFields && call.status < 300 && !call.template.includes('/metrics/')) {
              const first = Array.isArray(body) ? (body[0] as object | undefined) : (body as object)
              if (first !== undefined && !('operations' in first))
                expect(
                  Object.keys(first).some((key) => !JSON.stringify(validatorKeys).includes(`"${key}"`)),
                  call.url
                ).toBe(true)
            }
            checked++
          }
          expect(checked).toBeGreaterThan(40)
        })
  }
)
