import { STATUS_CODES } from 'node:http'
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest
} from 'fastify'
import { systemClock, type Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { SelfMetrics } from '../metrics/self-metrics.js'
import { createAccessHook } from './authentication.js'
import { stopWorkers } from './bcrypt-worker.js'
import { createGzipCache } from './gzip-cache.js'
import { healthRoutes } from './routes/health.js'
import { probeRoutes } from './routes/probe.js'
import { sdRoutes } from './routes/sd.js'
import { statusRoutes } from './routes/status.js'
import { telemetryRoutes } from './routes/telemetry.js'
import type { ExporterView } from '../engine/view.js'
import { startWebConfigReloader, type WebConfigReloaderDeps } from './web-config-reload.js'
import { httpsServerOptions, type WebConfig } from './web-config.js'

export const DEFAULT_DOCS_URL = 'https://cratedb.com/docs/cloud/en/latest/'

export interface ServerDeps {
  readonly view: ExporterView
  readonly logger: Logger
  /** e.g. /metrics */
  readonly telemetryPath: string
  /** TLS, basic auth and headers; the https options are derived from it. */
  readonly webConfig: WebConfig | null
  readonly selfMetrics: SelfMetrics
  /** The "Documentation" link of the landing page. */
  readonly docsUrl?: string
  /** How often the web configuration and its TLS files are checked for a change (web-config-reload.ts). */
  readonly webConfigReloadIntervalMs?: number
  /** --web.external-url: the address /sd gives its targets; null or absent: the request's Host. */
  readonly externalUrl?: string | null
  /** For the data age of /probe; the system clock by default. */
  readonly clock?: Clock
  readonly limits?: Partial<ConnectionLimits>
}

export interface ConnectionLimits {
  /** Most open connections; more are closed as they arrive. */
  readonly maxConnections: number
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number
  /** Time to receive a whole request (headers and the small body a GET may have). */
  readonly requestTimeoutMs: number
  /** How long an idle keep-alive connection is kept: long enough for a 15 s scrape interval. */
  readonly keepAliveTimeoutMs: number
  /** A connection on which nothing moves for this long is closed (slow readers included). */
  readonly idleTimeoutMs: number
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 20_000,
  idleTimeoutMs: 30_000
}

const ALLOW = 'GET, HEAD'
const RESERVED_PATHS = ['/healthz', '/readyz', '/status', '/sd', '/probe']

/** Longest path quoted in logs and error bodies; a request line may be many kilobytes. */
const MAX_QUOTED_PATH = 200

function noSchemas(): never {
  throw new Error('the routes of this server declare no schema')
}

function pathOf(url: string): string {
  const query = url.indexOf('?')
  const path = query < 0 ? url : url.slice(0, query)
  return path.length <= MAX_QUOTED_PATH ? path : `${path.slice(0, MAX_QUOTED_PATH)}…`
}

function securityHeaders(reply: FastifyReply, extra: readonly (readonly [string, string])[]): void {
  reply.header('X-Content-Type-Options', 'nosniff')
  for (const [name, value] of extra) reply.header(name, value)
}

function errorBody(
  statusCode: number,
  message: string
): { statusCode: number; error: string; message: string } {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/**
 * The HTTP server as a fastify instance that is not listening: main calls listen(), tests inject().
 * Served over TLS when the web configuration has a tls_server_config.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const telemetryPath = deps.telemetryPath
  if (!telemetryPath.startsWith('/') || RESERVED_PATHS.includes(telemetryPath)) {
    throw new Error(
      `telemetry path ${JSON.stringify(telemetryPath)} must start with "/" and not be ${RESERVED_PATHS.join(', ')}`
    )
  }
  const https = httpsServerOptions(deps.webConfig)
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...deps.limits }
  if (https === null && deps.webConfig !== null && deps.webConfig.basicAuthUsers.size > 0) {
    deps.logger.warn(
      { path: deps.webConfig.path },
      'basic auth over plain HTTP: passwords cross the network in clear text; add tls_server_config to the web configuration'
    )
  }
  const app = Fastify({
    loggerInstance: deps.logger,
    // one line per request from the onResponse hook below instead of fastify's two
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    // A URL that cannot be routed (FST_ERR_BAD_URL) is answered before any onRequest hook has run.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      securityHeaders(reply, extraHeaders)
      void reply.code(400).send(errorBody(400, error.message.slice(0, MAX_QUOTED_PATH)))
    },
    // No route declares a schema, so fastify never needs a validator or a serializer compiler; its
    // default factories would load ajv and fast-json-stringify at start (about 5 MiB and 0.2 s).
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
    ...(https === null ? {} : { https })
  }) as unknown as FastifyInstance
  app.server.maxConnections = limits.maxConnections
  app.server.headersTimeout = limits.headersTimeoutMs
  // how often node looks for requests past headersTimeout/requestTimeout; at most a quarter of the limit
  const checkEvery = Math.max(100, Math.min(limits.headersTimeoutMs / 4, 1000))
  ;(app.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = checkEvery

  const knownPaths = new Set([telemetryPath, '/healthz', '/readyz', '/status', '/sd', '/probe', '/'])
  const quiet = new Set([telemetryPath, '/healthz', '/readyz', '/sd', '/probe'])
  // Replaced together when the web configuration file changes (src/server/web-config-reload.ts).
  let extraHeaders = Object.entries(deps.webConfig?.headers ?? {})
  let access = createAccessHook(deps.webConfig)

  app.addHook('onRequest', (_request, reply, done) => {
    securityHeaders(reply, extraHeaders)
    done()
  })
  if (deps.webConfig !== null) {
    // Callback style: with nothing to enforce (say, a file that only sets headers) a request costs no
    // promise. A check that answers (401, 403) has sent the reply; fastify then goes no further.
    app.addHook('onRequest', (request, reply, done) => {
      const check = access
      if (check === null) {
        done()
        return
      }
      check(request, reply).then(() => done(), done)
    })
  }

  app.addHook('onResponse', (request, reply, done) => {
    const path = pathOf(request.url)
    const line = {
      method: request.method,
      path,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      remoteAddress: request.ip
    }
    if (quiet.has(path) && reply.statusCode < 400) request.log.debug(line, 'request')
    else request.log.info(line, 'request')
    done()
  })

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url)
    if (knownPaths.has(path)) {
      return reply
        .code(405)
        .header('Allow', ALLOW)
        .send(errorBody(405, `${request.method} is not allowed on ${path}`))
    }
    return reply.code(404).send(errorBody(404, `no route ${request.method} ${path}`))
  })

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(statusCode).send(errorBody(statusCode, 'internal server error'))
    }
    return reply.code(statusCode).send(errorBody(statusCode, error.message))
  })

  if (deps.webConfig !== null) {
    const reloader = startWebConfigReloader({
      initial: deps.webConfig,
      server: https === null ? null : (app.server as unknown as NonNullable<WebConfigReloaderDeps['server']>),
      apply: (next) => {
        extraHeaders = Object.entries(next.headers)
        access = createAccessHook(next)
      },
      logger: deps.logger.child({ component: 'web-config' }),
      metrics: deps.selfMetrics,
      ...(deps.webConfigReloadIntervalMs === undefined ? {} : { intervalMs: deps.webConfigReloadIntervalMs })
    })
    app.addHook('onClose', (_instance, done) => {
      reloader.stop()
      done()
    })
  }

  if ((deps.webConfig?.basicAuthUsers.size ?? 0) > 0) app.addHook('onClose', () => stopWorkers())

  const gzip = createGzipCache()
  void app.register(telemetryRoutes, { view: deps.view, telemetryPath, selfMetrics: deps.selfMetrics, gzip })
  void app.register(sdRoutes, { view: deps.view, externalUrl: deps.externalUrl ?? null })
  void app.register(probeRoutes, { view: deps.view, clock: deps.clock ?? systemClock })
  void app.register(healthRoutes, { view: deps.view })
  void app.register(statusRoutes, {
    view: deps.view,
    telemetryPath,
    docsUrl: deps.docsUrl ?? DEFAULT_DOCS_URL
  })
  return app
}
