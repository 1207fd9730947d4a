import type { FastifyInstance, FastifyReply } from 'fastify'
import { ManagementError, expandStorage, scale, suspend } from '../management.js'
import { operationStatus } from '../operations.js'
import { presentCluster, presentOperation } from '../present.js'
import type { SimulatorState } from '../state.js'
import type { SimCluster } from '../types.js'
import { UUID, many, one, sendError, type Query } from './errors.js'

type Params = { cluster_id: string }

/** Cluster lists with their filters, one cluster, its operations, and the mutating endpoints. */
export function registerClusterRoutes(app: FastifyInstance, state: SimulatorState): void {
  const filtered = (
    list: SimCluster[],
    query: Query,
    reply: FastifyReply,
    allowProject: boolean
  ): object[] | FastifyReply => {
    const projectId = allowProject ? one(query, 'project_id') : undefined
    if (projectId !== undefined && !UUID.test(projectId))
      return sendError(reply, 400, 'Bad request', { project_id: 'Not a valid UUID.' })
    const subscriptionId = one(query, 'subscription_id')
    const productName = one(query, 'product_name')
    return list
      .filter(
        (c) =>
          (projectId === undefined || c.projectId === projectId) &&
          (subscriptionId === undefined || c.subscriptionId === subscriptionId) &&
          (productName === undefined || c.plan.productName === productName)
      )
      .map((c) => presentCluster(state, c))
  }

  app.get<{ Querystring: Query }>('/api/v2/clusters/', async (request, reply) =>
    filtered(state.clusters(), request.query, reply, true)
  )

  app.get<{ Params: { organization_id: string }; Querystring: Query }>(
    '/api/v2/organizations/:organization_id/clusters/',
    async (request, reply) => {
      if (state.organization(request.params.organization_id) === undefined) return sendError(reply, 404)
      return filtered(
        state.clusters({ organizationId: request.params.organization_id }),
        request.query,
        reply,
        true
      )
    }
  )

  app.get<{ Params: { project_id: string }; Querystring: Query }>(
    '/api/v2/projects/:project_id/clusters/',
    async (request, reply) => {
      if (state.project(request.params.project_id) === undefined) return sendError(reply, 404)
      return filtered(state.clusters({ projectId: request.params.project_id }), request.query, reply, false)
    }
  )

  app.get<{ Params: Params }>('/api/v2/clusters/:cluster_id/', async (request, reply) => {
    const cluster = state.cluster(request.params.cluster_id)
    return cluster === undefined ? sendError(reply, 404) : presentCluster(state, cluster)
  })

  app.get<{ Params: Params; Querystring: Query }>(
    '/api/v2/clusters/:cluster_id/operations/',
    async (request, reply) => {
      const cluster = state.cluster(request.params.cluster_id)
      if (cluster === undefined) return sendError(reply, 404)
      const now = state.clock.now()
      const bounds: Record<string, number | undefined> = {}
      for (const name of ['start', 'end']) {
        const text = one(request.query, name)
        if (text === undefined) continue
        const ms = Date.parse(text)
        if (
          !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text) ||
          Number.isNaN(ms)
        )
          return sendError(reply, 400, 'Bad request', { [name]: 'Not a valid datetime.' })
        bounds[name] = ms
      }
      const limitText = one(request.query, 'limit')
      const limit = limitText === undefined ? undefined : Number(limitText)
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
        return sendError(reply, 400, 'Bad request', { limit: 'Not a valid integer.' })
      const statuses = many(request.query, 'statuses')
      const type = one(request.query, 'type')
      const operations = [...cluster.operations]
        .reverse()
        .filter(
          (op) =>
            (statuses.length === 0 || statuses.includes(operationStatus(op, now))) &&
            (type === undefined || op.type === type) &&
            (bounds['start'] === undefined || op.startedMs >= bounds['start']) &&
            (bounds['end'] === undefined || op.startedMs <= bounds['end'])
        )
        .slice(0, limit)
        .map((op) => presentOperation(state, op, now))
      return { operations }
    }
  )

  const mutation = (path: string, run: typeof expandStorage): void => {
    app.put<{ Params: Params }>(path, async (request, reply) => {
      state.refresh()
      const cluster = state.cluster(request.params.cluster_id)
      if (cluster === undefined) return sendError(reply, 404)
      const before = presentCluster(state, cluster)
      try {
        run(state, cluster, request.body)
      } catch (error) {
        if (error instanceof ManagementError) return sendError(reply, 400, error.message, error.errors)
        throw error
      }
      return before
    })
  }
  mutation('/api/v2/clusters/:cluster_id/storage/', expandStorage)
  mutation('/api/v2/clusters/:cluster_id/scale/', scale)
  mutation('/api/v2/clusters/:cluster_id/suspend/', suspend)

  app.post<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/clusters/',
    async (request, reply) => {
      const organizationId = request.params.organization_id
      if (state.organization(organizationId) === undefined) return sendError(reply, 404)
      const body = (request.body ?? {}) as Record<string, unknown>
      const spec = (body['cluster'] ?? {}) as Record<string, unknown>
      const errors: Record<string, string> = {}
      if (typeof spec['name'] !== 'string' || spec['name'].length < 3)
        errors['cluster.name'] = 'Length must be between 3 and 63.'
      if (typeof spec['product_name'] !== 'string')
        errors['cluster.product_name'] = 'Missing data for required field.'
      if (typeof body['subscription_id'] !== 'string')
        errors['subscription_id'] = 'Missing data for required field.'
      const projectId = typeof body['project_id'] === 'string' ? body['project_id'] : undefined
      if (projectId !== undefined && state.project(projectId)?.organizationId !== organizationId)
        errors['project_id'] = 'Project not found in this organization.'
      if (Object.keys(errors).length > 0) return sendError(reply, 400, 'Bad request', errors)
      const unit = typeof spec['product_unit'] === 'number' ? spec['product_unit'] : 0
      try {
        const created = state.createCluster({
          organizationId,
          ...(projectId === undefined ? {} : { projectId }),
          name: String(spec['name']),
          productName: String(spec['product_name']),
          numNodes: unit + 1,
          ...(typeof spec['crate_version'] === 'string' ? { crateVersion: spec['crate_version'] } : {}),
          viaOperation: true
        })
        return reply.code(201).send(presentCluster(state, created))
      } catch (error) {
        if (error instanceof RangeError)
          return sendError(reply, 400, 'Bad request', { cluster: error.message })
        throw error
      }
    }
  )

  app.delete<{ Params: Params }>('/api/v2/clusters/:cluster_id/', async (request, reply) => {
    const cluster = state.cluster(request.params.cluster_id)
    if (cluster === undefined) return sendError(reply, 404)
    if (cluster.deletionProtected)
      return sendError(reply, 400, 'The cluster is protected against deletion.', {
        deletion_protected: 'true'
      })
    state.deleteCluster(cluster.id)
    return reply.code(204).send()
  })
}
