import type { CloudApi } from '../cloud/api.js'
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
