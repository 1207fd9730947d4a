import type { Random } from './random.js'

/**
 * Injected failures, per endpoint: a route template as the API documents it
 * (`/api/v2/clusters/{cluster_id}/`), or a regular expression over the path (`~^/api/v2/clusters/`).
 */

export type FaultAction =
  | {
      readonly kind: 'status'
      readonly status: 500 | 502 | 503 | 504 | 429 | 403
      /** 429 only: the Retry-After header in seconds (default 30); null sends none. */
      readonly retryAfterSeconds?: number | null
    }
  /** 302 to `location`, e.g. another origin, as a misconfigured proxy or a login page elsewhere would. */
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'slow'; readonly chunkDelayMs: number }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'oversize'; readonly bytes: number }
  | { readonly kind: 'no-content' }
  /**
   * A 200 whose body is no data: two garbage lines, nothing, an HTML maintenance page, or the real body
   * cut inside a line (with a Content-Length that matches, so that only the content shows the cut).
   */
  | { readonly kind: 'bad-200'; readonly body: 'garbage' | 'empty' | 'html' | 'cut-line' }
  | { readonly kind: 'pass' }

export interface FaultRule {
  /** Route template (`{param}` or `:param` style) or `~` followed by a path regex. */
  readonly match: string
  /** Applied to successive matching requests, one each; after the last, requests pass (or it restarts). */
  readonly sequence?: readonly FaultAction[]
  readonly repeat?: boolean
  /** Or: this action on each matching request, with this probability (default 1). */
  readonly action?: FaultAction
  readonly probability?: number
}

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError'
  readonly code = 'CCE_SIM_FAULT_SPEC'
}

const STATUSES = new Set([500, 502, 503, 504, 429, 403])

export function parseFaultAction(token: string): FaultAction {
  const trimmed = token.trim()
  const colon = trimmed.indexOf(':')
  const head = colon === -1 ? trimmed : trimmed.slice(0, colon)
  const arg = colon === -1 ? undefined : trimmed.slice(colon + 1)
  const number = (fallback: number): number => {
    if (arg === undefined) return fallback
    const n = Number(arg)
    if (!Number.isFinite(n) || n < 0)
      throw new FaultSpecError(`bad number in fault action ${JSON.stringify(token)}`)
    return n
  }
  if (/^\d{3}$/.test(head)) {
    const status = Number(head)
    if (status === 204) return { kind: 'no-content' }
    if (!STATUSES.has(status)) throw new FaultSpecError(`unsupported fault status ${status}`)
    if (status === 429)
      return { kind: 'status', status: 429, retryAfterSeconds: arg === 'none' ? null : number(30) }
    if (arg !== undefined) throw new FaultSpecError(`fault status ${status} takes no argument: ${token}`)
    return { kind: 'status', status: status as 500 | 502 | 503 | 504 | 403 }
  }
  switch (head) {
    case 'latency':
      return { kind: 'latency', ms: number(1000) }
    case 'reset':
      return { kind: 'reset' }
    case 'slow':
      return { kind: 'slow', chunkDelayMs: number(200) }
    case 'truncate':
      return { kind: 'truncate' }
    case 'malformed':
      return { kind: 'malformed' }
    case 'oversize':
      return { kind: 'oversize', bytes: number(64 * 1024 * 1024) }
    case 'pass':
      return { kind: 'pass' }
    case 'garbage':
    case 'empty':
    case 'html':
    case 'cut-line':
      if (arg !== undefined) throw new FaultSpecError(`fault ${head} takes no argument: ${token}`)
      return { kind: 'bad-200', body: head }
    case 'redirect': {
      let location: URL
      try {
        location = new URL(arg ?? '')
      } catch {
        throw new FaultSpecError(`fault action ${JSON.stringify(token)}: redirect needs an absolute URL`)
      }
      return { kind: 'redirect', location: location.href }
    }
    default:
      throw new FaultSpecError(`unknown fault action ${JSON.stringify(token)}`)
  }
}

/**
 * `MATCH=ACTIONS`: ACTIONS is `503,503,pass` (a sequence, once), `*503,pass` (repeating) or
 * `25%:503` (each request, with a probability). Actions: 500 502 503 504 403 429[:retry-after-s|none]
 * 204 latency:MS reset slow:MS-per-chunk truncate malformed oversize[:BYTES] garbage empty html
 * cut-line redirect:URL pass (a redirect URL without '=' or ',').
 */
export function parseFaultRule(text: string): FaultRule {
  const at = text.lastIndexOf('=')
  if (at <= 0) throw new FaultSpecError(`fault ${JSON.stringify(text)}: expected MATCH=ACTIONS`)
  const match = text.slice(0, at)
  compileMatcher(match)
  let actions = text.slice(at + 1).trim()
  const probability = /^(\d+(?:\.\d+)?)%:(.+)$/.exec(actions)
  if (probability !== null) {
    return {
      match,
      action: parseFaultAction(probability[2] ?? ''),
      probability: Number(probability[1]) / 100
    }
  }
  const repeat = actions.startsWith('*')
  if (repeat) actions = actions.slice(1)
  const sequence = actions.split(',').map(parseFaultAction)
  return { match, sequence, repeat }
}

function compileMatcher(match: string): (route: string, path: string) => boolean {
  if (match.startsWith('~')) {
    let pattern: RegExp
    try {
      pattern = new RegExp(match.slice(1))
    } catch (error) {
      throw new FaultSpecError(`fault path regex ${JSON.stringify(match)} is invalid`, { cause: error })
    }
    return (_route, path) => pattern.test(path)
  }
  const template = normaliseTemplate(match)
  return (route) => route === template
}

/** `/clusters/:cluster_id/` and `/clusters/{cluster_id}/` compare equal. */
export function normaliseTemplate(template: string): string {
  return template.replace(/:([A-Za-z_]\w*)/g, '{$1}')
}

export interface FaultEngine {
  setRules(rules: readonly FaultRule[]): void
  rules(): readonly FaultRule[]
  /** The actions for one request: every matching latency, then the first other action. */
  decide(route: string, path: string): { latencyMs: number; action: FaultAction | null }
}

export function createFaultEngine(random: Random, initial: readonly FaultRule[] = []): FaultEngine {
  let compiled: { rule: FaultRule; test: (route: string, path: string) => boolean; next: number }[] = []
  const setRules = (rules: readonly FaultRule[]): void => {
    compiled = rules.map((rule) => {
      if (rule.sequence === undefined && rule.action === undefined)
        throw new FaultSpecError('a fault rule needs a sequence or an action')
      return { rule, test: compileMatcher(rule.match), next: 0 }
    })
  }
  setRules(initial)
  return {
    setRules,
    rules: () => compiled.map((entry) => entry.rule),
    decide(route, path) {
      const template = normaliseTemplate(route)
      let latencyMs = 0
      let action: FaultAction | null = null
      for (const entry of compiled) {
        if (!entry.test(template, path)) continue
        let chosen: FaultAction | undefined
        const { sequence, repeat, probability } = entry.rule
        if (sequence !== undefined) {
          if (entry.next >= sequence.length && repeat === true) entry.next = 0
          chosen = sequence[entry.next]
          if (chosen !== undefined) entry.next++
        } else if (random.next() < (probability ?? 1)) {
          chosen = entry.rule.action
        }
        if (chosen === undefined || chosen.kind === 'pass') continue
        if (chosen.kind === 'latency') latencyMs += chosen.ms
        else action ??= chosen
      }
      return { latencyMs, action }
    }
  }
}
