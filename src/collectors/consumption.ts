import { families as f } from '../metrics/catalogue.js'
import type { Collector, CollectorDefinition } from './collector.js'
import { FamilyBuilder } from './family-builder.js'
import { COLLECTOR_DEFAULTS } from './names.js'
import type { OrganizationCollectorDeps } from './quotas.js'

const FAMILIES = [f.consumptionCost, f.consumptionCredits]

/** GET /api/v2/organizations/{organization_id}/consumption/current-month/: one call per poll. */
export function createConsumptionCollector(deps: OrganizationCollectorDeps): Collector {
  return {
    name: 'consumption',
    organizationId: deps.organizationId,
    async collect(signal) {
      const consumption = await deps.api.currentConsumption(deps.organizationId, signal)
      const out = new FamilyBuilder(FAMILIES)
      for (const { product_name, consumption: totals } of consumption.compute) {
        out.add(f.consumptionCost, [deps.organizationId, 'compute', product_name], totals.cost)
        out.add(f.consumptionCredits, [deps.organizationId, 'compute', product_name], totals.credits)
      }
      if (consumption.storage !== null) {
        out.add(f.consumptionCost, [deps.organizationId, 'storage', ''], consumption.storage.cost)
        out.add(f.consumptionCredits, [deps.organizationId, 'storage', ''], consumption.storage.credits)
      }
      return out.build()
    }
  }
}

export const consumptionDefinition: CollectorDefinition = {
  name: 'consumption',
  scope: 'organization',
  defaults: COLLECTOR_DEFAULTS.consumption,
  families: FAMILIES,
  create: (context) => createConsumptionCollector(context)
}
