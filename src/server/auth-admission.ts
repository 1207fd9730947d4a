/**
 * What bounds the bcrypt work of basic auth. One comparison costs tens of milliseconds of CPU on the
 * thread that also serves scrapes, so a stream of wrong passwords could otherwise queue up without end
 * and delay a real scrape past its timeout. Three limits:
 *
 * - a failure budget per client address (a token bucket): once spent, the client is answered 429 without
 *   a comparison until a token is back;
 * - two lanes: clients without a recent failure (and with at most two requests waiting) go before the
 *   others, so a scrape with the right password waits behind at most the queue of other well-behaved
 *   clients;
 * - a bound on each lane's queue: past it, 503 at once instead of a wait.
 *
 * A request whose client has gone by the time its turn comes is dropped without a comparison.
 */

export interface AdmissionOptions {
  /** Failures a client may have in a row before it is refused without a check; default 10. */
  readonly failureBurst?: number
  /** One failure is forgiven per this many ms; default 6000 (10 per minute). */
  readonly failureRefillMs?: number
  /** Comparisons waiting per lane before 503; default 8 for trusted, 4 for suspect clients. */
  readonly maxQueuedTrusted?: number
  readonly maxQueuedSuspect?: number
  /** Client addresses remembered for their budget; the oldest is forgotten first. Default 10,000. */
  readonly maxClients?: number
  readonly now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

interface Waiting {
  readonly client: string
  readonly task: (runner: Lane) => Promise<boolean>
  readonly gone: () => boolean
  readonly resolve: (result: boolean | 'gone') => void
  readonly reject: (error: unknown) => void
}

export type Lane = 'trusted' | 'suspect'

export type AdmissionResult = boolean | 'gone' | 'busy'

export interface Admission {
  /** Seconds until the client may try again, or 0 when it may be checked now. */
  refusedFor(client: string): number
  /**
   * Runs a comparison in the client's lane; 'busy' when the lane is full. Each lane has its own runner
   * (one comparison at a time), so that a well-behaved client never waits for a suspect's comparison.
   */
  run(client: string, gone: () => boolean, task: (runner: Lane) => Promise<boolean>): Promise<AdmissionResult>
  /** Spends one of the client's failure tokens. */
  failed(client: string): void
}

/** A scraper has one request open at a time; more from one address wait in the suspect lane. */
const MAX_TRUSTED_PER_CLIENT = 2

export function createAdmission(options: AdmissionOptions = {}): Admission {
  const burst = options.failureBurst ?? 10
  const refillMs = options.failureRefillMs ?? 6000
  const maxClients = options.maxClients ?? 10_000
  const limits = { trusted: options.maxQueuedTrusted ?? 8, suspect: options.maxQueuedSuspect ?? 4 }
  const now = options.now ?? Date.now
  const buckets = new Map<string, Bucket>()
  const lanes: Record<Lane, Waiting[]> = { trusted: [], suspect: [] }

  function tokens(client: string): number {
    const bucket = buckets.get(client)
    if (bucket === undefined) return burst
    const refilled = Math.min(burst, bucket.tokens + (now() - bucket.at) / refillMs)
    if (refilled >= burst) buckets.delete(client)
    return refilled
  }

  const running = { trusted: false, suspect: false }

  /** The next request for a runner: trusted takes clean clients only; suspect takes the rest. */
  function take(runner: Lane): Waiting | undefined {
    // A client may have failed since it queued in the trusted lane: it then belongs to the suspect runner.
    const clean = lanes.trusted.findIndex((waiting) => tokens(waiting.client) >= burst)
    if (runner === 'trusted') return clean >= 0 ? lanes.trusted.splice(clean, 1)[0] : undefined
    const suspect = lanes.suspect.shift()
    if (suspect !== undefined) return suspect
    const dirty = lanes.trusted.findIndex((waiting) => tokens(waiting.client) < burst)
    return dirty >= 0 ? lanes.trusted.splice(dirty, 1)[0] : undefined
  }

  function pump(runner: Lane): void {
    if (running[runner]) return
    const next = take(runner)
    if (next === undefined) return
    if (next.gone()) {
      next.resolve('gone')
      pump(runner)
      return
    }
    running[runner] = true
    const settle = (): void => {
      running[runner] = false
      pump('trusted')
      pump('suspect')
    }
    next.task(runner).then(
      (ok) => {
        next.resolve(ok)
        settle()
      },
      (error: unknown) => {
        next.reject(error)
        settle()
      }
    )
  }

  return {
    refusedFor(client) {
      const left = tokens(client)
      return left >= 1 ? 0 : Math.ceil(((1 - left) * refillMs) / 1000)
    },
    run(client, gone, task) {
      const own = lanes.trusted.filter((waiting) => waiting.client === client).length
      const lane = tokens(client) >= burst && own < MAX_TRUSTED_PER_CLIENT ? lanes.trusted : lanes.suspect
      if (lane.length >= (lane === lanes.trusted ? limits.trusted : limits.suspect))
        return Promise.resolve('busy')
      return new Promise<boolean | 'gone'>((resolve, reject) => {
        lane.push({ client, task, gone, resolve, reject })
        pump('trusted')
        pump('suspect')
      })
    },
    failed(client) {
      const left = tokens(client)
      buckets.delete(client)
      if (buckets.size >= maxClients) {
        const oldest = buckets.keys().next().value
        if (oldest !== undefined) buckets.delete(oldest)
      }
      buckets.set(client, { tokens: Math.max(0, left - 1), at: now() })
    }
  }
}
