/** Parsers of single configuration values; each returns the value or a message "must be ..., got ...". */

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string }

export type Parser<T> = (raw: unknown) => Parsed<T>

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error })

/** How a raw value is shown in a message; strings are quoted and shortened. */
export function shown(raw: unknown): string {
  if (raw === undefined) return 'nothing'
  if (raw === null) return 'null'
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? raw.slice(0, 60) + '…' : raw)
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw)
  return Array.isArray(raw) ? 'a list' : 'a mapping'
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/
const UNIT_SECONDS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001]

/** A Prometheus duration ("30s", "5m", "1h30m", "500ms") in seconds; undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined
  const match = DURATION.exec(text)
  if (match === null) return undefined
  let seconds = 0
  UNIT_SECONDS.forEach((unit, index) => {
    const part = match[index + 1]
    if (part !== undefined) seconds += Number(part) * unit
  })
  return seconds
}

export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`
}

export const duration: Parser<number> = (raw) => {
  const seconds = typeof raw === 'string' ? parseDuration(raw.trim()) : undefined
  if (seconds === undefined || seconds <= 0) return bad(`must be a duration like "60s", got ${shown(raw)}`)
  return ok(seconds)
}

export const text: Parser<string> = (raw) =>
  typeof raw === 'string' && raw.trim() !== ''
    ? ok(raw.trim())
    : bad(`must be a non-empty string, got ${shown(raw)}`)

export const boolean: Parser<boolean> = (raw) => {
  if (typeof raw === 'boolean') return ok(raw)
  if (raw === 'true') return ok(true)
  if (raw === 'false') return ok(false)
  return bad(`must be true or false, got ${shown(raw)}`)
}

export function positiveInteger(max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw
    if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max) return ok(value)
    return bad(`must be a whole number from 1 to ${max}, got ${shown(raw)}`)
  }
}

/** A whole number from 0 to max (a shard ordinal). */
export function nonNegativeInteger(max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) return ok(value)
    return bad(`must be a whole number from 0 to ${max}, got ${shown(raw)}`)
  }
}

/**
 * The URL under which Prometheus reaches the exporter (behind a proxy or a Service name); /sd names it
 * as the address of every target. Returned without a trailing slash.
 */
export const externalUrl: Parser<string> = (raw) => {
  if (typeof raw !== 'string') return bad(`must be a URL, got ${shown(raw)}`)
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return bad(`must be a URL like "http://exporter:9863", got ${shown(raw)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return bad(`must be an http or https URL, got ${shown(raw)}`)
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
    return bad(`must not have a user, password, query or fragment, got ${shown(raw)}`)
  return ok(url.origin + url.pathname.replace(/\/+$/, ''))
}

export const positiveNumber: Parser<number> = (raw) => {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return ok(value)
  return bad(`must be a number greater than 0, got ${shown(raw)}`)
}

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) =>
    typeof raw === 'string' && (values as readonly string[]).includes(raw)
      ? ok(raw as T)
      : bad(`must be one of ${values.join(', ')}, got ${shown(raw)}${didYouMean(String(raw), values)}`)
}

/** Regular expressions, each compiled anchored as the filters use them. */
export const regexList: Parser<string[]> = (raw) => {
  if (raw === null || raw === undefined) return ok([])
  if (!Array.isArray(raw)) return bad(`must be a list of regular expressions, got ${shown(raw)}`)
  const problems: string[] = []
  raw.forEach((item: unknown, index) => {
    if (typeof item !== 'string') {
      problems.push(`[${index}] must be a string, got ${shown(item)}`)
      return
    }
    try {
      new RegExp(`^(?:${item})$`)
    } catch (error) {
      problems.push(
        `[${index}] ${shown(item)} is not a valid regular expression: ${(error as Error).message}`
      )
    }
  })
  return problems.length === 0 ? ok(raw as string[]) : bad(problems.join('; '))
}

const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]*):(\d{1,5})$/

export const listenAddress: Parser<string> = (raw) => {
  const match = typeof raw === 'string' ? LISTEN.exec(raw.trim()) : null
  if (match === null || Number(match[2]) > 65535) {
    return bad(`must be host:port like ":9863" or "127.0.0.1:9863", got ${shown(raw)}`)
  }
  return ok((raw as string).trim())
}

export const urlPath: Parser<string> = (raw) =>
  typeof raw === 'string' && /^\/\S*$/.test(raw)
    ? ok(raw)
    : bad(`must be a path starting with "/", got ${shown(raw)}`)

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/**
 * The API base URL: https, except for loopback hosts (the simulator, a local proxy), because the API key
 * travels in every request. Returned without a trailing slash.
 */
export const apiUrl: Parser<string> = (raw) => {
  if (typeof raw !== 'string') return bad(`must be a URL, got ${shown(raw)}`)
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return bad(`must be a URL like "https://console.cratedb.cloud", got ${shown(raw)}`)
  }
  if (url.username !== '' || url.password !== '') {
    return bad('must not contain a user name or password: give API keys as credentials')
  }
  if (url.search !== '' || url.hash !== '') return bad(`must not have a query or fragment, got ${shown(raw)}`)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    return bad(`must use https (http is allowed only for 127.0.0.0/8, ::1 and localhost), got ${shown(raw)}`)
  }
  return ok(url.origin + url.pathname.replace(/\/+$/, ''))
}

/** " (did you mean x?)" for the closest candidate within a small edit distance, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? ` (did you mean ${best}?)`
    : ''
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_v, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
