import { createHash } from 'node:crypto'
import { createAdmission, type AdmissionOptions, type Lane } from './auth-admission.js'
import { compareOnWorker, warmUpWorker } from './bcrypt-worker.js'

export interface BasicAuthOptions {
  /** user -> bcrypt hash */
  readonly users: ReadonlyMap<string, string>
  /** How long a successful check is remembered; a scrape should not pay bcrypt every time. */
  readonly cacheTtlMs?: number
  readonly now?: () => number
  /** Default: on a worker thread per lane (bcrypt-worker.ts). */
  readonly compare?: (password: string, hash: string, lane: Lane) => Promise<boolean>
  /** Failure budget and queue bounds (auth-admission.ts). */
  readonly admission?: AdmissionOptions
}

/** Who asks: the client address for its failure budget, and whether it is still connected. */
export interface AuthClient {
  readonly address: string
  readonly gone: () => boolean
}

export type AuthVerdict =
  | { readonly user: string }
  | { readonly refused: 401 }
  | { readonly refused: 429 | 503; readonly retryAfterSeconds: number }

export interface BasicAuth {
  /** The authenticated user for an Authorization header, or null. */
  verify(authorization: string | undefined): Promise<string | null>
  /** The same check, with the client's failure budget and the queue bound applied. */
  check(authorization: string | undefined, client: AuthClient): Promise<AuthVerdict>
}

const DEFAULT_TTL_MS = 60_000
const MAX_CACHED = 100

export function parseBasicAuthorization(
  header: string | undefined
): { user: string; password: string } | null {
  if (header === undefined) return null
  // Strict base64 (RFC 4648 with padding): Buffer.from would skip stray characters and decode the rest.
  const match = /^Basic[ ]+((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)[ ]*$/i.exec(
    header
  )
  if (match?.[1] === undefined || match[1] === '') return null
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export function createBasicAuth(options: BasicAuthOptions): BasicAuth {
  const ttl = options.cacheTtlMs ?? DEFAULT_TTL_MS
  const now = options.now ?? Date.now
  // key: digest of user, hash and password, so neither the password nor the hash is kept in clear
  const verified = new Map<string, number>()
  const decoy = options.users.values().next().value
  const admission = createAdmission({ ...options.admission, now })
  const compare =
    options.compare ?? ((password: string, hash: string, lane: Lane) => compareOnWorker(lane, password, hash))
  if (options.compare === undefined) for (const lane of ['trusted', 'suspect']) warmUpWorker(lane)

  function remember(key: string): void {
    if (verified.size >= MAX_CACHED) {
      const oldest = verified.keys().next().value
      if (oldest !== undefined) verified.delete(oldest)
    }
    verified.set(key, now() + ttl)
  }

  function cacheKey(user: string, hash: string, password: string): string {
    return createHash('sha256')
      .update(user)
      .update('\0')
      .update(hash)
      .update('\0')
      .update(password)
      .digest('base64')
  }

  async function check(authorization: string | undefined, client: AuthClient): Promise<AuthVerdict> {
    const credentials = parseBasicAuthorization(authorization)
    if (credentials === null || decoy === undefined) return { refused: 401 }
    const hash = options.users.get(credentials.user)
    const key = hash === undefined ? null : cacheKey(credentials.user, hash, credentials.password)
    if (key !== null) {
      const expires = verified.get(key)
      if (expires !== undefined && expires > now()) {
        // refreshed on use: a scrape every interval never pays bcrypt again
        verified.delete(key)
        verified.set(key, now() + ttl)
        return { user: credentials.user }
      }
      verified.delete(key)
    }
    const wait = admission.refusedFor(client.address)
    if (wait > 0) return { refused: 429, retryAfterSeconds: wait }
    // an unknown user costs the same comparison as a known one, so that timing does not tell which exist
    const result = await admission.run(client.address, client.gone, (lane) =>
      compare(credentials.password, hash ?? decoy, lane)
    )
    if (result === 'busy') return { refused: 503, retryAfterSeconds: 1 }
    if (result === 'gone') return { refused: 401 }
    if (!result || key === null) {
      admission.failed(client.address)
      return { refused: 401 }
    }
    remember(key)
    return { user: credentials.user }
  }

  return {
    check,
    async verify(authorization) {
      const verdict = await check(authorization, { address: '', gone: () => false })
      return 'user' in verdict ? verdict.user : null
    }
  }
}
