import { timingSafeEqual, createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { FaultSpecError, parseFaultRule, type FaultRule } from '../faults.js'
import { runningOperation } from '../operations.js'
import type { CreateClusterInput, SimulatorSettings, SimulatorState } from '../state.js'
import { sendError } from './errors.js'

/** The control API under /_simulator/ (a prefix the real API does not use), behind its own bearer token. */
export const ADMIN_PREFIX = '/_simulator'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

export function summarize(state: SimulatorState): object {
  const now = state.clock.now()
  state.refresh()
  return {
    clock: { nowMs: now, kind: state.clock.kind, speed: state.clock.speed },
    settings: state.settings,
    credentials: state.credentials().map((c) => ({ key: c.key, active: c.active, lastUsedMs: c.lastUsedMs })),
    organizations: state.organizations().map((org) => ({
      id: org.id,
      name: org.name,
      projects: state.projects(org.id).map((p) => ({ id: p.id, name: p.name, region: p.region })),
      clusters: state.clusters({ organizationId: org.id }).map((c) => ({
        id: c.id,
        name: c.name,
        projectId: c.projectId,
        productName: c.plan.productName,
        numNodes: c.nodes.length,
        suspended: c.suspended,
        status: state.healthStatus(c),
        emitting: state.isEmitting(c),
        runningOperation: runningOperation(c, now)?.type ?? null,
        diskSizePerNodeBytes: c.diskSizePerNodeBytes
      }))
    }))
  }
}

function applySettings(state: SimulatorState, body: Partial<SimulatorSettings>): string | null {
  if (body.authFailure !== undefined) {
    if (body.authFailure !== 401 && body.authFailure !== 302) return 'authFailure must be 401 or 302'
    state.settings.authFailure = body.authFailure
  }
  if (body.rateLimit !== undefined) {
    if (body.rateLimit !== 'cache' && body.rateLimit !== '429') return 'rateLimit must be cache or 429'
    state.settings.rateLimit = body.rateLimit
  }
  if (body.metricsJsonShape !== undefined) {
    if (body.metricsJsonShape !== 'prometheus' && body.metricsJsonShape !== 'series')
      return 'bad metricsJsonShape'
    state.settings.metricsJsonShape = body.metricsJsonShape
  }
  if (typeof body.extraFields === 'boolean') state.settings.extraFields = body.extraFields
  if (body.rateLimitWindowMs !== undefined) {
    if (
      typeof body.rateLimitWindowMs !== 'number' ||
      !Number.isFinite(body.rateLimitWindowMs) ||
      body.rateLimitWindowMs < 0
    )
      return 'rateLimitWindowMs must be a non-negative number of milliseconds'
    state.settings.rateLimitWindowMs = body.rateLimitWindowMs
  }
  if (typeof body.operationsFail === 'boolean') state.settings.operationsFail = body.operationsFail
  if (typeof body.operationMs === 'number') state.settings.operationMs = body.operationMs
  if (typeof body.cpuLoad === 'number') state.setCpuLoad(body.cpuLoad)
  return null
}

export function registerAdminRoutes(app: FastifyInstance, state: SimulatorState, adminToken: string): void {
  app.register(
    (admin, _options, done) => {
      admin.addHook('onRequest', async (request, reply) => {
        const header = request.headers.authorization ?? ''
        const given = header.startsWith('Bearer ') ? header.slice(7) : ''
        if (!timingSafeEqual(digest(given), digest(adminToken))) await sendError(reply, 401)
      })
      admin.get('/state', () => summarize(state))
      admin.get('/clock', () => ({
        nowMs: state.clock.now(),
        kind: state.clock.kind,
        speed: state.clock.speed
      }))
      admin.post<{ Body: { ms?: number } }>('/clock/advance', async (request, reply) => {
        const ms = request.body?.ms
        if (typeof ms !== 'number' || ms < 0)
          return sendError(reply, 400, 'Bad request', { ms: 'a non-negative number' })
        state.clock.advance(ms)
        state.refresh()
        return { nowMs: state.clock.now() }
      })
      admin.post<{ Body: { key?: string; secret?: string } }>('/credentials', async (request, reply) => {
        const { key, secret } = request.body ?? {}
        if (typeof key !== 'string' || typeof secret !== 'string' || key === '' || secret === '')
          return sendError(reply, 400, 'Bad request', { key: 'key and secret are required' })
        state.addCredential(key, secret)
        return reply.code(201).send({ key, active: true })
      })
      admin.post<{ Params: { key: string } }>('/credentials/:key/deactivate', async (request, reply) =>
        state.deactivateCredential(request.params.key)
          ? { key: request.params.key, active: false }
          : sendError(reply, 404)
      )
      admin.get('/faults', () => ({ rules: state.faults() }))
      admin.put<{ Body: { rules?: (FaultRule | string)[] } }>('/faults', async (request, reply) => {
        try {
          const rules = (request.body?.rules ?? []).map((rule) =>
            typeof rule === 'string' ? parseFaultRule(rule) : rule
          )
          state.setFaults(rules)
          return { rules: state.faults() }
        } catch (error) {
          if (error instanceof FaultSpecError) return sendError(reply, 400, error.message)
          throw error
        }
      })
      admin.delete('/faults', () => {
        state.setFaults([])
        return { rules: [] }
      })
      admin.patch<{ Body: Partial<SimulatorSettings> }>('/settings', async (request, reply) => {
        try {
          const problem = applySettings(state, request.body ?? {})
          return problem === null ? state.settings : sendError(reply, 400, problem)
        } catch (error) {
          if (error instanceof RangeError) return sendError(reply, 400, error.message)
          throw error
        }
      })
      admin.post<{ Body: CreateClusterInput }>('/clusters', async (request, reply) => {
        try {
          const created = state.createCluster(request.body)
          return reply.code(201).send({ id: created.id, name: created.name })
        } catch (error) {
          if (error instanceof RangeError) return sendError(reply, 400, error.message)
          throw error
        }
      })
      admin.delete<{ Params: { id: string } }>('/clusters/:id', async (request, reply) =>
        state.deleteCluster(request.params.id) ? reply.code(204).send() : sendError(reply, 404)
      )
      admin.post<{ Params: { id: string }; Body: { suspended?: boolean } }>(
        '/clusters/:id/suspend',
        async (request, reply) => {
          if (state.cluster(request.params.id) === undefined) return sendError(reply, 404)
          state.suspendCluster(request.params.id, request.body?.suspended ?? true)
          return { id: request.params.id, suspended: request.body?.suspended ?? true }
        }
      )
      admin.post<{ Params: { id: string }; Body: { numNodes?: number } }>(
        '/clusters/:id/scale',
        async (request, reply) => {
          if (state.cluster(request.params.id) === undefined) return sendError(reply, 404)
          const numNodes = request.body?.numNodes
          if (typeof numNodes !== 'number')
            return sendError(reply, 400, 'Bad request', { numNodes: 'a number' })
          state.scaleCluster(request.params.id, numNodes)
          return { id: request.params.id, numNodes: state.cluster(request.params.id)?.nodes.length }
        }
      )
      // Every org-metrics request with its answer, so that a test can count the requests inside a window.
      admin.get<{ Querystring: { organization?: string } }>('/org-metrics/requests', (request) => ({
        windowMs: state.settings.rateLimitWindowMs,
        rateLimit: state.settings.rateLimit,
        requests: state.orgMetricsRequests(request.query.organization)
      }))
      admin.get<{ Params: { org: string } }>('/ground-truth/:org', async (request, reply) => {
        const truth = state.lastOrgMetrics(request.params.org)
        return truth === undefined ? sendError(reply, 404, 'No org-metrics body served yet.') : truth
      })
      done()
    },
    { prefix: ADMIN_PREFIX }
  )
}
