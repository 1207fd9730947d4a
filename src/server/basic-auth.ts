import { createHash } from 'node:crypto'
import bcrypt from 'bcryptjs'

export interface BasicAuthOptions {
  /** user -> bcrypt hash */
  readonly users: ReadonlyMap<string, string>
  /** How long a successful check is remembered; a scrape should not pay bcrypt every time. */
  readonly cacheTtlMs?: number
  readonly now?: () => number
}

export interface BasicAuth {
  /** The authenticated user for an Authorization header, or null. */
  verify(authorization: string | undefined): Promise<string | null>
}

const DEFAULT_TTL_MS = 60_000
const MAX_CACHED = 100

export function parseBasicAuthorization(
  header: string | undefined
): { user: string; password: string } | null {
  if (header === undefined) return null
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (match?.[1] === undefined) return null
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
  // bcrypt is CPU-bound; one comparison at a time keeps a burst of bad passwords from starving scrapes
  let queue: Promise<unknown> = Promise.resolve()

  function compare(password: string, hash: string): Promise<boolean> {
    const result = queue.then(() => bcrypt.compare(password, hash))
    queue = result.catch(() => false)
    return result
  }

  function remember(key: string): void {
    if (verified.size >= MAX_CACHED) {
      const oldest = verified.keys().next().value
      if (oldest !== undefined) verified.delete(oldest)
    }
    verified.set(key, now() + ttl)
  }

  return {
    async verify(authorization) {
      const credentials = parseBasicAuthorization(authorization)
      if (credentials === null || decoy === undefined) return null
      const hash = options.users.get(credentials.user)
      if (hash === undefined) {
        // same cost as for a known user, so that timing does not tell which users exist
        await compare(credentials.password, decoy)
        return null
      }
      const key = createHash('sha256')
        .update(credentials.user)
        .update('\0')
        .update(hash)
        .update('\0')
        .update(credentials.password)
        .digest('base64')
      const expires = verified.get(key)
      if (expires !== undefined && expires > now()) return credentials.user
      verified.delete(key)
      if (!(await compare(credentials.password, hash))) return null
      remember(key)
      return credentials.user
    }
  }
}
