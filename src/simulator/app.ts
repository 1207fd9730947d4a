import fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from '../logger.js'
import { basicCredentials, createAuthHook } from './auth.js'
import { registerFaultHooks } from './fault-hooks.js'
import { registerAccountRoutes } from './routes/account.js'
import { registerAdminRoutes } from './routes/admin.js'
import { registerClusterMetricsRoutes } from './routes/cluster-metrics.js'
import { registerClusterRoutes } from './routes/clusters.js'
import { registerIndexRoute } from './routes/index-page.js'
import { sendError } from './routes/errors.js'
import { registerOrgMetricsRoutes } from './routes/org-metrics.js'
import type { RequestLog } from './request-log.js'
import type { SimulatorState } from './state.js'

export interface SimulatorAppDeps {
  readonly adminToken: string
  readonly logger?: Logger
  /** Records every /api/ request's key and path. */
  readonly requestLog?: RequestLog
}

/** The simulated CrateDB Cloud API as a fastify instance that never listens (tests use inject()). */
export function buildSimulatorApp(state: SimulatorState, deps: SimulatorAppDeps): FastifyInstance {
  const app = fastify({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024
  }) as unknown as FastifyInstance
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.startsWith('/api/')) {
      state.countApiRequest()
      const query = request.url.indexOf('?')
      deps.requestLog?.record({
        key: basicCredentials(request.headers.authorization)?.key ?? '',
        method: request.method,
        path: query < 0 ? request.url : request.url.slice(0, query)
      })
    }
    done()
  })
  registerFaultHooks(app, state.faultEngine)
  const authenticate = createAuthHook(state)
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) await authenticate(request, reply)
  })
  app.addHook('preHandler', (_request, _reply, done) => {
    state.refresh()
    done()
  })
  registerIndexRoute(app)
  registerAccountRoutes(app, state)
  registerClusterRoutes(app, state)
  registerClusterMetricsRoutes(app, state)
  registerOrgMetricsRoutes(app, state)
  registerAdminRoutes(app, state, deps.adminToken)
  app.setNotFoundHandler(async (_request, reply) => sendError(reply, 404))
  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500)
      return sendError(reply, status, status === 400 ? 'Bad request' : undefined)
    request.log.error({ err: error }, 'simulator route failed')
    return sendError(reply, 500)
  })
  return app
}
