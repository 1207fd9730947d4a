import { families as f } from '../metrics/catalogue.js'
import type { Collector, CollectorDefinition, CollectorDeps } from './collector.js'
import { FamilyBuilder } from './family-builder.js'
import { COLLECTOR_DEFAULTS } from './names.js'

export interface OrganizationCollectorDeps extends CollectorDeps {
  readonly organizationId: string
}

const FAMILIES = [f.quotaLimit, f.quotaUsage]

/** GET /api/v2/organizations/{organization_id}/quotas/: one call per poll. */
export function createQuotasCollector(deps: OrganizationCollectorDeps): Collector {
  return {
    name: 'quotas',
    organizationId: deps.organizationId,
    async collect(signal) {
      const quotas = await deps.api.quotas(deps.organizationId, signal)
      const out = new FamilyBuilder(FAMILIES)
      for (const quota of quotas) {
        out.add(f.quotaLimit, [deps.organizationId, quota.code], quota.quota)
        out.add(f.quotaUsage, [deps.organizationId, quota.code], quota.current_value)
      }
      return out.build()
    }
  }
}

export const quotasDefinition: CollectorDefinition = {
  name: 'quotas',
  scope: 'organization',
  defaults: COLLECTOR_DEFAULTS.quotas,
  families: FAMILIES,
  create: (context) => createQuotasCollector(context)
}
