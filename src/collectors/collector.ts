import type { CloudApi } from '../cloud/api.js'
import { CloudApiError } from '../cloud/errors.js'
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { FamilySnapshot } from '../metrics/types.js'
import type { CollectorName } from './names.js'

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
