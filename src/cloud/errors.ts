/**
 * Why a call to the CrateDB Cloud API failed. Exposed as the `reason` label of
 * cratedb_cloud_api_errors_total and documented in README "Error reasons".
 */
export type ApiErrorReason =
  | 'auth' // 401, 403, or any 3xx (the login redirect); never retried with the same key
  | 'throttled' // 429
  | 'timeout' // the request or the collector's deadline ran out
  | 'server' // 5xx
  | 'network' // connection refused/reset, DNS, TLS, a body cut short
  | 'decode' // a response that does not match the API's schema, malformed JSON/text, oversize body
  | 'not_found' // 404: an id that no longer exists
  | 'client' // any other 4xx

export const API_ERROR_REASONS: readonly ApiErrorReason[] = [
  'auth',
  'throttled',
  'timeout',
  'server',
  'network',
  'decode',
  'not_found',
  'client'
]

export const RETRYABLE_REASONS: ReadonlySet<ApiErrorReason> = new Set([
  'throttled',
  'timeout',
  'server',
  'network'
])

export interface CloudApiErrorDetails {
  reason: ApiErrorReason
  /** Route template, e.g. /api/v2/organizations/{organization_id}/clusters/ — never an id. */
  endpoint: string
  status?: number
  /** Seconds, from a Retry-After header. */
  retryAfterSeconds?: number
  cause?: unknown
}

/** The stable code of a reason, CCE_API_<REASON>: logged with the failure and shown in /status. */
export function apiErrorCode(reason: ApiErrorReason): string {
  return `CCE_API_${reason.toUpperCase()}`
}

/** Stable codes, one per reason: CCE_API_<REASON>. */
export class CloudApiError extends Error {
  override readonly name = 'CloudApiError'
  readonly code: string
  readonly reason: ApiErrorReason
  readonly endpoint: string
  readonly status: number | undefined
  readonly retryAfterSeconds: number | undefined

  constructor(message: string, details: CloudApiErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.reason = details.reason
    this.code = apiErrorCode(details.reason)
    this.endpoint = details.endpoint
    this.status = details.status
    this.retryAfterSeconds = details.retryAfterSeconds
  }

  get retryable(): boolean {
    return RETRYABLE_REASONS.has(this.reason)
  }
}
