/**
 * Which API key asked for which path: lets a test with several exporters (one key each) tell which of
 * them requested an organization's endpoints. Kept in memory, bounded; the key id only, never a secret.
 */
export interface ApiRequestRecord {
  /** The API key of the Authorization header, '' without one. */
  readonly key: string
  readonly method: string
  /** The path without the query. */
  readonly path: string
}

export interface RequestLog {
  record(entry: ApiRequestRecord): void
  entries(): readonly ApiRequestRecord[]
}

const LIMIT = 100_000

export function createRequestLog(limit = LIMIT): RequestLog {
  const entries: ApiRequestRecord[] = []
  return {
    record(entry) {
      if (entries.length >= limit) entries.shift()
      entries.push(entry)
    },
    entries: () => entries
  }
}
