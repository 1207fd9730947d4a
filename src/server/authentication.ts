import type { TLSSocket } from 'node:tls'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createBasicAuth } from './basic-auth.js'
import type { WebConfig } from './web-config.js'

export const BASIC_AUTH_REALM = 'cratedb-cloud-exporter'

type AccessHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>

const ERRORS = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' }

function deny(
  reply: FastifyReply,
  statusCode: 401 | 403 | 429 | 503,
  message: string,
  retryAfterSeconds?: number
): FastifyReply {
  if (statusCode === 401)
    reply.header('WWW-Authenticate', `Basic realm="${BASIC_AUTH_REALM}", charset="UTF-8"`)
  if (retryAfterSeconds !== undefined) reply.header('Retry-After', String(retryAfterSeconds))
  return reply.code(statusCode).send({ statusCode, error: ERRORS[statusCode], message })
}

/**
 * What node's TLS handshake cannot enforce by itself: RequireAnyClientCert wants some certificate,
 * verified or not; VerifyClientCertIfGiven accepts no certificate but not an unverified one.
 */
function clientCertificateProblem(config: WebConfig, request: FastifyRequest): string | null {
  const type = config.tls?.clientAuthType
  if (type !== 'RequireAnyClientCert' && type !== 'VerifyClientCertIfGiven') return null
  const socket = request.raw.socket as TLSSocket
  if (typeof socket.getPeerCertificate !== 'function') return null
  const presented = Object.keys(socket.getPeerCertificate()).length > 0
  if (type === 'RequireAnyClientCert') return presented ? null : 'a client certificate is required'
  return presented && !socket.authorized ? 'the client certificate is not trusted' : null
}

/**
 * The onRequest hook enforcing the web configuration: client certificates, then basic auth except on
 * the configured unauthenticated paths (matched against the route, so a query string does not matter).
 * null when there is nothing to enforce.
 */
export function createAccessHook(config: WebConfig | null): AccessHook | null {
  if (config === null) return null
  const checksCertificates =
    config.tls?.clientAuthType === 'RequireAnyClientCert' ||
    config.tls?.clientAuthType === 'VerifyClientCertIfGiven'
  if (config.basicAuthUsers.size === 0 && !checksCertificates) return null
  const basicAuth =
    config.basicAuthUsers.size === 0 ? null : createBasicAuth({ users: config.basicAuthUsers })
  const open = new Set(config.unauthenticatedPaths)

  return async (request, reply) => {
    const problem = clientCertificateProblem(config, request)
    if (problem !== null) return deny(reply, 403, problem)
    if (basicAuth === null) return undefined
    const route = request.routeOptions.url
    if (route !== undefined && open.has(route)) return undefined
    const socket = request.raw.socket
    const verdict = await basicAuth.check(request.headers.authorization, {
      address: request.ip,
      gone: () => socket.destroyed
    })
    if ('user' in verdict) return undefined
    if (verdict.refused === 401) return deny(reply, 401, 'authentication required')
    return deny(
      reply,
      verdict.refused,
      verdict.refused === 429
        ? 'too many failed authentication attempts from this address'
        : 'too many authentication checks waiting',
      verdict.retryAfterSeconds
    )
  }
}
