import type { FastifyInstance } from 'fastify'
import { PLANS } from '../plans.js'
import { isoWithOffset, presentOrganization, presentProject } from '../present.js'
import { createRandom } from '../random.js'
import { REGIONS } from '../scenario.js'
import type { SimulatorState } from '../state.js'
import { UUID, one, sendError, type Query } from './errors.js'

/** users/me, organizations, projects, regions, quotas and consumption. */
export function registerAccountRoutes(app: FastifyInstance, state: SimulatorState): void {
  const extra = <T extends object>(body: T, fields: object): T =>
    state.settings.extraFields ? { ...body, ...fields } : body
  const userId = createRandom(`${state.organizations()[0]?.id ?? 'user'}/user`).uuid()

  app.get('/api/v2/users/me/', () =>
    extra(
      {
        email: 'ops-bot@example.com',
        hmac: userId.replaceAll('-', ''),
        idp: 'cognito',
        is_superuser: false,
        name: 'Ops Bot',
        organization_id: state.organizations()[0]?.id ?? userId,
        organization_roles: state
          .organizations()
          .map((org) => ({ organization_id: org.id, role_fqn: 'org_admin' })),
        project_roles: [],
        status: 'active',
        uid: userId,
        username: 'ops-bot'
      },
      { mfa_enabled: false, ui_preferences: { theme: 'dark' } }
    )
  )

  app.get('/api/v2/organizations/', () => state.organizations().map((org) => presentOrganization(state, org)))

  app.get<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/',
    async (request, reply) => {
      const org = state.organization(request.params.organization_id)
      return org === undefined ? sendError(reply, 404) : presentOrganization(state, org)
    }
  )

  app.get('/api/v2/projects/', () => state.projects().map((p) => presentProject(state, p)))

  app.get<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/projects/',
    async (request, reply) => {
      const org = state.organization(request.params.organization_id)
      return org === undefined
        ? sendError(reply, 404)
        : state.projects(org.id).map((p) => presentProject(state, p))
    }
  )

  app.get<{ Params: { project_id: string } }>('/api/v2/projects/:project_id/', async (request, reply) => {
    const project = state.project(request.params.project_id)
    return project === undefined ? sendError(reply, 404) : presentProject(state, project)
  })

  // Public regions only: the same list for every organization.
  const regions = (): object[] =>
    REGIONS.map((name) =>
      extra(
        {
          dc: {
            created: isoWithOffset(Date.UTC(2022, 0, 10)),
            modified: isoWithOffset(Date.UTC(2024, 5, 1))
          },
          deprecated: false,
          description: name,
          is_edge_region: false,
          last_seen: isoWithOffset(state.clock.now() - 20_000),
          name,
          status: 'UP',
          upgrade_available: false
        },
        { cloud_vendor: name.split('.').pop() }
      )
    )

  app.get<{ Querystring: Query }>('/api/v2/regions/', async (request, reply) => {
    const organizationId = one(request.query, 'organization_id')
    if (organizationId !== undefined && !UUID.test(organizationId))
      return sendError(reply, 400, 'Bad request', { organization_id: 'Not a valid UUID.' })
    return regions()
  })

  app.get<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/regions/',
    async (request, reply) =>
      state.organization(request.params.organization_id) === undefined ? sendError(reply, 404) : regions()
  )

  app.get<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/quotas/',
    async (request, reply) => {
      const org = state.organization(request.params.organization_id)
      if (org === undefined) return sendError(reply, 404)
      const clusters = state.clusters({ organizationId: org.id })
      const nodes = clusters.reduce((sum, c) => sum + c.nodes.length, 0)
      return [
        { code: 'clusters', current_value: clusters.length, quota: Math.max(10, clusters.length * 2) },
        { code: 'nodes', current_value: nodes, quota: Math.max(50, nodes * 2) },
        { code: 'projects', current_value: state.projects(org.id).length, quota: 20 }
      ].map((quota) => extra(quota, { quota_scope: 'organization' }))
    }
  )

  app.get<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/consumption/current-month/',
    async (request, reply) => {
      const org = state.organization(request.params.organization_id)
      if (org === undefined) return sendError(reply, 404)
      const now = new Date(state.clock.now())
      const minutes = (now.getUTCDate() - 1) * 1440 + now.getUTCHours() * 60 + now.getUTCMinutes()
      const byProduct = new Map<string, number>()
      for (const c of state.clusters({ organizationId: org.id }))
        if (!c.suspended)
          byProduct.set(c.plan.productName, (byProduct.get(c.plan.productName) ?? 0) + c.nodes.length)
      const hourly: Record<string, number> = {}
      const compute = PLANS.filter((p) => byProduct.has(p.productName)).map((p) => {
        const nodes = byProduct.get(p.productName) ?? 0
        const perHour = Math.round(p.cpusPerNode * 0.2 * nodes * 100) / 100
        hourly[p.productName] = perHour
        const cost = Math.round(((perHour * minutes) / 60) * 100) / 100
        return {
          consumption: { cost, credits: 0, dtuhours: (nodes * minutes) / 60, minutes, total: cost },
          product_name: p.productName
        }
      })
      const storageCost = Math.round(minutes * 0.01 * 100) / 100
      return extra(
        {
          compute_consumption_this_month: compute,
          current_cost: {
            hourly,
            monthly: Object.fromEntries(
              Object.entries(hourly).map(([k, v]) => [k, Math.round(v * 730 * 100) / 100])
            )
          },
          storage_consumption_this_month: {
            cost: storageCost,
            credits: 0,
            dtuhours: 0,
            gibhours: Math.floor(minutes / 6),
            minutes,
            total: storageCost
          }
        },
        { consumption_currency: 'USD' }
      )
    }
  )
}
