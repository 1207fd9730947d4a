/**
 * One HTTP attempt against the CrateDB Cloud API: send, classify the status, read the body under a size
 * cap. Every failure becomes a CloudApiError with a reason; retrying is the caller's business.
 * Redirects are never followed (undici does not unless asked): a 3xx is the API's way of saying
 * "log in", so it is an authentication failure, and credentials never travel to another origin.
 */
import type { Dispatcher } from 'undici'
import { request } from './agent.js'
import { CloudApiError, type ApiErrorReason } from './errors.js'
import type { TextSink } from './api.js'
import { SchemaError, type Decoder } from './decode.js'
import { parseRetryAfterMs } from './retry.js'

export interface AttemptOptions {
  readonly dispatcher: Dispatcher
  readonly origin: string
  /** Path as sent, base path prefix included. */
  readonly path: string
  /** Route template, for errors. */
  readonly endpoint: string
  readonly headers: Readonly<Record<string, string>>
  /** The caller's deadline. */
  readonly signal: AbortSignal
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  /** The setting that sets maxResponseBytes, named in the error; default api.max_response_bytes. */
  readonly maxResponseBytesSetting?: string
  /** Wall-clock milliseconds, for Retry-After dates. */
  readonly now: () => number
  /** GET unless given; a PUT sends `body` as JSON. */
  readonly method?: 'GET' | 'PUT'
  readonly body?: string
}

export interface AttemptResult<T> {
  readonly status: number
  /** null on 204. */
  readonly value: T | null
}

const ERROR_BODY_LIMIT = 4096

export function reasonForStatus(status: number): ApiErrorReason | null {
  if (status >= 200 && status < 300) return null
  if ((status >= 300 && status < 400) || status === 401 || status === 403) return 'auth'
  if (status === 404) return 'not_found'
  if (status === 429) return 'throttled'
  if (status >= 500) return 'server'
  return 'client'
}

export async function attempt<T>(
  options: AttemptOptions,
  reader: () => TextSink<T>
): Promise<AttemptResult<T>> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error('request timeout'))
  }, options.timeoutMs)
  timer.unref()
  const onCallerAbort = (): void => controller.abort(options.signal.reason)
  options.signal.addEventListener('abort', onCallerAbort, { once: true })
  try {
    if (options.signal.aborted) throw options.signal.reason
    const response = await request(options.dispatcher, {
      origin: options.origin,
      path: options.path,
      method: options.method ?? 'GET',
      headers: options.headers,
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: controller.signal
    })
    return await handleResponse(options, response, reader)
  } catch (error) {
    if (error instanceof CloudApiError) throw error
    throw classifyThrown(options, error, timedOut)
  } finally {
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onCallerAbort)
  }
}

async function handleResponse<T>(
  options: AttemptOptions,
  response: Dispatcher.ResponseData,
  reader: () => TextSink<T>
): Promise<AttemptResult<T>> {
  const { statusCode: status, headers, body } = response
  const reason = reasonForStatus(status)
  if (reason !== null) {
    const detail = await readErrorDetail(body)
    const retryAfterMs = parseRetryAfterMs(headers['retry-after'], options.now())
    const location = status >= 300 && status < 400 ? ' (redirect not followed)' : ''
    throw new CloudApiError(`${options.endpoint}: HTTP ${status}${location}${detail}`, {
      reason,
      endpoint: options.endpoint,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterSeconds: retryAfterMs / 1000 })
    })
  }
  if (status === 204) {
    await body.dump()
    return { status, value: null }
  }
  const declared = Number(headerText(headers['content-length']) ?? NaN)
  if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
    body.destroy()
    throw oversize(options, `declares ${declared} bytes`)
  }
  const sink = reader()
  let received = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length
    if (received > options.maxResponseBytes) {
      body.destroy()
      throw oversize(options, `exceeded it while streaming`)
    }
    sink.write(chunk)
  }
  const encoded = headerText(headers['content-encoding']) !== undefined
  if (Number.isFinite(declared) && !encoded && received !== declared) {
    throw new CloudApiError(
      `${options.endpoint}: response body cut short: received ${received} of ${declared} bytes`,
      { reason: 'network', endpoint: options.endpoint, status }
    )
  }
  return { status, value: sink.end() }
}

function oversize(options: AttemptOptions, what: string): CloudApiError {
  return new CloudApiError(
    `${options.endpoint}: response body is larger than the limit of ${options.maxResponseBytes} bytes ` +
      `(${options.maxResponseBytesSetting ?? 'api.max_response_bytes'}): it ${what}`,
    { reason: 'decode', endpoint: options.endpoint }
  )
}

/** The API's `{"message": ...}` on errors, shortened; the body is otherwise discarded. */
async function readErrorDetail(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = ''
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8')
      if (text.length >= ERROR_BODY_LIMIT) {
        body.destroy()
        break
      }
    }
  } catch {
    return ''
  }
  try {
    const parsed = JSON.parse(text) as { message?: unknown }
    if (typeof parsed.message === 'string') return `: ${JSON.stringify(parsed.message.slice(0, 200))}`
  } catch {
    // not JSON: no detail
  }
  return ''
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

function classifyThrown(options: AttemptOptions, error: unknown, timedOut: boolean): CloudApiError {
  const endpoint = options.endpoint
  if (options.signal.aborted) {
    return new CloudApiError(`${endpoint}: the caller's deadline ran out`, {
      reason: 'timeout',
      endpoint,
      cause: error
    })
  }
  const code = (error as { code?: unknown } | null)?.code
  if (timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return new CloudApiError(
      `${endpoint}: no complete response within ${options.timeoutMs} ms (api.timeout)`,
      {
        reason: 'timeout',
        endpoint,
        cause: error
      }
    )
  }
  const what = error instanceof Error ? error.message : String(error)
  return new CloudApiError(`${endpoint}: ${typeof code === 'string' ? `${code}: ` : ''}${what}`, {
    reason: 'network',
    endpoint,
    cause: error
  })
}

export function jsonReader<T>(endpoint: string, decoder: Decoder<T>): TextSink<T> {
  const chunks: Buffer[] = []
  return {
    write: (chunk) => void chunks.push(chunk),
    end() {
      let parsed: unknown
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch (error) {
        throw new CloudApiError(`${endpoint}: malformed JSON: ${(error as Error).message}`, {
          reason: 'decode',
          endpoint,
          cause: error
        })
      }
      try {
        return decoder(parsed, '')
      } catch (error) {
        if (!(error instanceof SchemaError)) throw error
        throw new CloudApiError(`${endpoint}: ${error.message}`, { reason: 'decode', endpoint, cause: error })
      }
    }
  }
}

/** A sink that throws is a body the exporter cannot read: a decode failure, not a network one. */
export function guardedSink<T>(endpoint: string, sink: TextSink<T>): TextSink<T> {
  const wrap = <R>(fn: () => R): R => {
    try {
      return fn()
    } catch (error) {
      if (error instanceof CloudApiError) throw error
      throw new CloudApiError(`${endpoint}: ${error instanceof Error ? error.message : String(error)}`, {
        reason: 'decode',
        endpoint,
        cause: error
      })
    }
  }
  return { write: (chunk) => wrap(() => sink.write(chunk)), end: () => wrap(() => sink.end()) }
}

export function asCloudApiError(endpoint: string, error: unknown): CloudApiError {
  if (error instanceof CloudApiError) return error
  return new CloudApiError(`${endpoint}: ${error instanceof Error ? error.message : String(error)}`, {
    reason: 'network',
    endpoint,
    cause: error
  })
}
