/**
 * The CrateDB Cloud API client (CloudApi of src/cloud/api.ts) on undici: one keep-alive connection pool
 * for the API origin, a timeout per request, a bound on requests in flight, retries with backoff inside
 * the caller's deadline, failover between API keys, and validation of every response at the edge.
 */
import { readFile as readFileFs } from 'node:fs/promises'
import type { Dispatcher } from 'undici'
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import { version } from '../version.js'
import { Agent } from './agent.js'
import type { ApiUsage, CloudApi, ClusterManagementApi, TextSink } from './api.js'
import { createCredentialPool, type CredentialConfig, type ResolvedCredential } from './credentials.js'
import type { Decoder } from './decode.js'
import { ENDPOINTS, expandPath } from './endpoints.js'
import { CloudApiError, type ApiErrorReason } from './errors.js'
import { asCloudApiError, attempt, guardedSink, jsonReader } from './http.js'
import type { ApiObserver } from './observer.js'
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  createSemaphore,
  remainingMs,
  sleep,
  type RetryPolicy
} from './retry.js'
import * as schemas from './schemas.js'

export interface CloudClientDeps {
  /** Scheme, host, port and an optional path prefix, e.g. https://console.cratedb.cloud. */
  baseUrl: string
  credentials: readonly CredentialConfig[]
  requestTimeoutMs: number
  maxResponseBytes: number
  /** Limit of the streamed organization metrics body; default maxResponseBytes. */
  maxMetricsResponseBytes?: number
  maxConcurrency: number
  /** undici dispatcher (tests pass a MockAgent); the client then does not close it. */
  dispatcher?: Dispatcher
  logger: Logger
  observer: ApiObserver
  clock: Clock
  readFile?: (path: string) => Promise<string>
  retry?: Partial<RetryPolicy>
  /** Jitter source in [0, 1). */
  random?: () => number
  /** How long a secret file's content is used before it is read again. */
  secretRefreshMs?: number
}

export const USER_AGENT = `cratedb-cloud-exporter/${version}`

const JSON_ACCEPT = 'application/json'
const TEXT_ACCEPT = 'text/plain'
/** A refused key, then once more if its files held another key or secret when read again. */
const MAX_TRIES_PER_KEY = 2

export function createCloudClient(deps: CloudClientDeps): CloudApi & ClusterManagementApi {
  const base = new URL(deps.baseUrl)
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new Error(`api.url must be http(s), got ${base.protocol}`)
  }
  const origin = base.origin
  for (const endpoint of Object.values(ENDPOINTS)) {
    deps.observer.endpointKnown(endpoint)
  }
  const basePath = base.pathname.replace(/\/+$/, '')
  let ownDispatcher: Agent | undefined
  let dispatcher: Dispatcher
  if (deps.dispatcher === undefined) {
    ownDispatcher = new Agent({ connections: deps.maxConcurrency, keepAliveTimeout: 30_000, pipelining: 1 })
    dispatcher = ownDispatcher
  } else dispatcher = deps.dispatcher
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry }
  const random = deps.random ?? Math.random
  // undici's `connections` limit alone would queue requests inside the dispatcher, where the request
  // timeout and the duration histogram would already be running and the caller's deadline could not
  // end the wait with a clear reason; the semaphore bounds requests in flight before any of that starts
  // (and also when a test passes its own dispatcher).
  const semaphore = createSemaphore(Math.max(1, deps.maxConcurrency))
  const pool = createCredentialPool({
    credentials: deps.credentials,
    readFile: deps.readFile ?? ((path) => readFileFs(path, 'utf8')),
    clock: deps.clock,
    observer: deps.observer,
    logger: deps.logger,
    ...(deps.secretRefreshMs === undefined ? {} : { refreshMs: deps.secretRefreshMs })
  })
  let requests = 0
  const errors: Partial<Record<ApiErrorReason, number>> = {}
  let closed = false

  const countError = (endpoint: string, error: CloudApiError): void => {
    deps.observer.requestFailed(endpoint, error.reason)
    errors[error.reason] = (errors[error.reason] ?? 0) + 1
  }

  /** One request with every usable key in turn, until one is not refused. */
  async function withCredentials<T>(call: Call<T>, state: { attempts: number }): Promise<T | null> {
    const refusals: string[] = []
    let lastRefusal: CloudApiError | undefined
    for (const index of pool.order()) {
      let credential = await pool.resolve(index)
      let tries = 0
      while (typeof credential !== 'string') {
        const outcome = await attemptWith(call, state, credential)
        if (outcome.ok) {
          pool.succeeded(index)
          return outcome.value
        }
        pool.authFailed(index)
        refusals.push(`${credential.name}: HTTP ${outcome.refusal.status ?? '?'}`)
        lastRefusal = outcome.refusal
        if (++tries === MAX_TRIES_PER_KEY) break
        // A refused key's files are read again at once: when they now hold another key or secret
        // (rotated since they were last read), that one is tried too before the next key.
        const refused = credential.authorization
        credential = await pool.resolve(index)
        if (typeof credential !== 'string' && credential.authorization === refused) break
      }
      if (typeof credential === 'string')
        refusals.push(`${deps.credentials[index]?.name ?? index}: ${credential}`)
    }
    pool.allRefused()
    const why = refusals.length === 0 ? 'no API credentials are configured' : refusals.join(', ')
    throw new CloudApiError(`${call.endpoint}: every API key was refused or unusable (${why})`, {
      reason: 'auth',
      endpoint: call.endpoint,
      ...(lastRefusal?.status === undefined ? {} : { status: lastRefusal.status }),
      ...(lastRefusal === undefined ? {} : { cause: lastRefusal })
    })
  }

  /** One attempt with one key: its result, or the refusal; any other failure is thrown. */
  async function attemptWith<T>(
    call: Call<T>,
    state: { attempts: number },
    credential: ResolvedCredential
  ): Promise<{ ok: true; value: T | null } | { ok: false; refusal: CloudApiError }> {
    const release = await acquire(call)
    requests++
    const endTimer = deps.observer.requestStarted(call.endpoint, state.attempts > 0)
    state.attempts++
    try {
      const result = await attempt(
        {
          dispatcher,
          origin,
          path: call.path,
          endpoint: call.endpoint,
          headers: {
            accept: call.accept,
            authorization: credential.authorization,
            'user-agent': USER_AGENT
          },
          signal: call.signal,
          timeoutMs: call.timeoutMs ?? deps.requestTimeoutMs,
          maxResponseBytes: call.maxResponseBytes ?? deps.maxResponseBytes,
          ...(call.maxResponseBytesSetting === undefined
            ? {}
            : { maxResponseBytesSetting: call.maxResponseBytesSetting }),
          now: () => deps.clock.now()
        },
        call.reader
      )
      return { ok: true, value: result.value }
    } catch (error) {
      const failure = asCloudApiError(call.endpoint, error)
      countError(call.endpoint, failure)
      if (failure.reason !== 'auth') throw failure
      return { ok: false, refusal: failure }
    } finally {
      endTimer()
      release()
    }
  }

  async function acquire(call: Call<unknown>): Promise<() => void> {
    try {
      return await semaphore.acquire(call.signal)
    } catch (error) {
      throw new CloudApiError(
        `${call.endpoint}: the caller's deadline ran out while waiting for a connection`,
        {
          reason: 'timeout',
          endpoint: call.endpoint,
          cause: error
        }
      )
    }
  }

  async function send<T>(call: Call<T>): Promise<T | null> {
    if (closed)
      throw new CloudApiError(`${call.endpoint}: the client is closed`, {
        reason: 'network',
        endpoint: call.endpoint
      })
    const state = { attempts: 0 }
    for (let round = 1; ; round++) {
      try {
        return await withCredentials(call, state)
      } catch (error) {
        const failure = asCloudApiError(call.endpoint, error)
        if (!failure.retryable || call.signal.aborted || round >= policy.maxAttempts) throw failure
        // A request made after Retry-After inside the same call would be the throttled second request
        // if the wait fell a moment short; the caller schedules its next request itself.
        if (failure.reason === 'throttled' && call.retryThrottled === false) throw failure
        const delay = await retryDelay(call, failure, round)
        deps.logger.debug(
          {
            endpoint: call.endpoint,
            reason: failure.reason,
            status: failure.status,
            delayMs: delay,
            attempt: round
          },
          'CrateDB Cloud API request failed; retrying'
        )
        try {
          await sleep(delay, call.signal)
        } catch (cause) {
          throw new CloudApiError(
            `${call.endpoint}: the caller's deadline ran out while waiting to retry (${failure.message})`,
            { reason: 'timeout', endpoint: call.endpoint, cause }
          )
        }
      }
    }
  }

  /** The wait before the next round, or throws when it would not fit in what is left of the deadline. */
  function retryDelay(call: Call<unknown>, failure: CloudApiError, round: number): Promise<number> {
    const left = remainingMs(call.signal, deps.clock)
    if (failure.retryAfterSeconds !== undefined) {
      const wait = failure.retryAfterSeconds * 1000
      if (wait >= left || wait > policy.maxRetryAfterMs) {
        throw new CloudApiError(
          `${call.endpoint}: HTTP ${failure.status ?? '?'} with Retry-After ${failure.retryAfterSeconds}s, ` +
            `longer than the ${Number.isFinite(left) ? `${Math.floor(left)} ms left of the deadline` : `limit of ${policy.maxRetryAfterMs} ms`}`,
          {
            reason: 'throttled',
            endpoint: call.endpoint,
            retryAfterSeconds: failure.retryAfterSeconds,
            ...(failure.status === undefined ? {} : { status: failure.status }),
            cause: failure
          }
        )
      }
      return Promise.resolve(wait)
    }
    const wait = backoffDelayMs(policy, round - 1, random)
    if (wait >= left) throw failure
    return Promise.resolve(wait)
  }

  function getJson<T>(
    template: string,
    params: Record<string, string>,
    signal: AbortSignal,
    decoder: Decoder<T>
  ): Promise<T> {
    const call = makeCall(template, params, signal, JSON_ACCEPT, () => jsonReader(template, decoder))
    return send(call).then((value) => {
      if (value === null) {
        const error = new CloudApiError(`${template}: expected a JSON body, got HTTP 204 No Content`, {
          reason: 'decode',
          endpoint: template,
          status: 204
        })
        countError(template, error)
        throw error
      }
      return value
    })
  }

  function makeCall<T>(
    template: string,
    params: Record<string, string>,
    signal: AbortSignal,
    accept: string,
    reader: () => TextSink<T>
  ): Call<T> {
    const path = basePath + expandPath(template, params)
    // Paths are built here from fixed templates and encoded ids; this check keeps it that way.
    if (new URL(path, origin).origin !== origin) {
      throw new CloudApiError(`${template}: refusing to send credentials outside ${origin}`, {
        reason: 'client',
        endpoint: template
      })
    }
    return { endpoint: template, path, signal, accept, reader }
  }

  /** One PUT with the key in use: no retry (the change may have been made), no failover, no key marked. */
  async function putJson(
    template: string,
    params: Record<string, string>,
    body: unknown,
    signal: AbortSignal
  ): Promise<void> {
    const call = makeCall(template, params, signal, JSON_ACCEPT, () => jsonReader(template, schemas.cluster))
    if (closed)
      throw new CloudApiError(`${template}: the client is closed`, { reason: 'network', endpoint: template })
    const index = pool.order()[0]
    const credential = index === undefined ? 'no API credentials are configured' : await pool.resolve(index)
    if (typeof credential === 'string')
      throw new CloudApiError(`${template}: no usable API key (${credential})`, {
        reason: 'auth',
        endpoint: template
      })
    const release = await acquire(call)
    requests++
    const endTimer = deps.observer.requestStarted(template, false)
    try {
      await attempt(
        {
          dispatcher,
          origin,
          path: call.path,
          endpoint: template,
          method: 'PUT',
          body: JSON.stringify(body),
          headers: {
            accept: JSON_ACCEPT,
            'content-type': 'application/json',
            authorization: credential.authorization,
            'user-agent': USER_AGENT
          },
          signal,
          timeoutMs: deps.requestTimeoutMs,
          maxResponseBytes: deps.maxResponseBytes,
          now: () => deps.clock.now()
        },
        call.reader
      )
    } catch (error) {
      let failure = asCloudApiError(template, error)
      // The key authenticated (reads work) but may not make this change: not an authentication failure.
      if (failure.status === 403)
        failure = new CloudApiError(
          `${template}: HTTP 403: the API key may not change this cluster (${failure.message})`,
          { reason: 'client', endpoint: template, status: 403, cause: failure }
        )
      countError(template, failure)
      throw failure
    } finally {
      endTimer()
      release()
    }
  }

  const org = (organizationId: string): Record<string, string> => ({ organization_id: organizationId })
  const clusterParams = (clusterId: string): Record<string, string> => ({ cluster_id: clusterId })

  return {
    currentUser: (signal) => getJson(ENDPOINTS.currentUser, {}, signal, schemas.currentUser),
    organizations: (signal) => getJson(ENDPOINTS.organizations, {}, signal, schemas.organizations),
    organizationProjects: (id, signal) =>
      getJson(ENDPOINTS.organizationProjects, org(id), signal, schemas.projects),
    organizationClusters: (id, signal) =>
      getJson(ENDPOINTS.organizationClusters, org(id), signal, schemas.clusters),
    quotas: (id, signal) => getJson(ENDPOINTS.quotas, org(id), signal, schemas.quotas),
    currentConsumption: (id, signal) =>
      getJson(ENDPOINTS.currentConsumption, org(id), signal, schemas.currentConsumption),
    orgMetrics<T>(id: string, signal: AbortSignal, createSink: () => TextSink<T>): Promise<T | null> {
      const template = ENDPOINTS.orgMetrics
      const call = makeCall(template, org(id), signal, TEXT_ACCEPT, () => guardedSink(template, createSink()))
      // A large organization's body takes longer than one JSON call: it may use the collector's whole budget.
      const left = remainingMs(signal, deps.clock)
      return send({
        ...call,
        retryThrottled: false,
        timeoutMs: Number.isFinite(left) ? Math.max(left, deps.requestTimeoutMs) : deps.requestTimeoutMs,
        maxResponseBytes: deps.maxMetricsResponseBytes ?? deps.maxResponseBytes,
        ...(deps.maxMetricsResponseBytes === undefined
          ? {}
          : { maxResponseBytesSetting: 'api.max_metrics_response_bytes' })
      })
    },
    cluster: (id, signal) => getJson(ENDPOINTS.cluster, clusterParams(id), signal, schemas.cluster),
    clusterOperations: (id, signal) =>
      getJson(ENDPOINTS.clusterOperations, clusterParams(id), signal, schemas.clusterOperations),
    expandStorage: (id, bytes, signal) =>
      putJson(ENDPOINTS.clusterStorage, clusterParams(id), { disk_size_per_node_bytes: bytes }, signal),
    credentials: () => pool.statuses(),
    usage: (): ApiUsage => ({ requests, errors: { ...errors } }),
    async close() {
      closed = true
      if (ownDispatcher !== undefined) await ownDispatcher.close()
    }
  }
}

interface Call<T> {
  readonly endpoint: string
  readonly path: string
  readonly signal: AbortSignal
  readonly accept: string
  readonly reader: () => TextSink<T>
  readonly timeoutMs?: number
  readonly maxResponseBytes?: number
  readonly maxResponseBytesSetting?: string
  /** false: a 429 ends the call at once (the org-metrics budget schedules the next request). */
  readonly retryThrottled?: boolean
}
