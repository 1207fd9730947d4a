import type { CloudApi } from '../cloud/api.js'
import { CloudApiError } from '../cloud/errors.js'
import type { Clock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { Logger } from '../logger.js'
import type { FamilySnapshot, FamilySpec } from '../metrics/types.js'
import type { DirectoryStore } from './directory.js'
import type { CollectorDefaults, CollectorName } from './names.js'

/** What every collector is given. A collector never touches timers, HTTP servers or `process`. */
export interface CollectorDeps {
  readonly api: CloudApi
  readonly logger: Logger
  readonly clock: Clock
}

/**
 * One unit of collection: one collector, for one organization where it works per organization.
 * `collect` makes the API calls of one poll and returns a complete set of families; the runner
 * publishes them all at once, so a scrape never sees half a poll.
 */
export interface Collector {
  readonly name: CollectorName
  /** '' for collectors that are not per organization. */
  readonly organizationId: string
  collect(signal: AbortSignal): Promise<readonly FamilySnapshot[]>
  /**
   * When the next run should start, for a collector with a request budget of its own (ms since epoch);
   * without it, runs start one interval apart.
   */
  nextRunAt?(run: { readonly startedAt: number; readonly intervalMs: number }): number
}

/** Everything a definition may use to make its collector; the engine fills it in. */
export interface CollectorContext extends CollectorDeps {
  /** The organization the collector polls; '' for a collector of scope 'global'. */
  readonly organizationId: string
  /** What the inventory found, for the collectors that join their data with it. */
  readonly directory: DirectoryStore
  readonly config: Config
}

/**
 * A kind of collector, as src/collectors/registry.ts lists it. The engine makes one collector per
 * definition ('global') or one per visible organization ('organization'), and polls each on its own.
 */
export interface CollectorDefinition {
  readonly name: CollectorName
  readonly scope: 'global' | 'organization'
  /** Its row of COLLECTOR_DEFAULTS (src/collectors/names.ts), which the configuration reads too. */
  readonly defaults: CollectorDefaults
  /** The families its collectors return (src/metrics/catalogue.ts). */
  readonly families: readonly FamilySpec[]
  create(context: CollectorContext): Collector
}

/**
 * A failed poll that still has data to publish: the fresh data of some clusters, and the last good
 * data of the others that the answer lacked. The runner publishes `families` and counts the run as
 * failed (reason decode).
 */
export class PartialPollError extends CloudApiError {
  readonly families: readonly FamilySnapshot[]

  constructor(message: string, endpoint: string, families: readonly FamilySnapshot[]) {
    super(message, { reason: 'decode', endpoint })
    this.families = families
  }
}
