import type { CollectorDefinition } from './collector.js'
import { consumptionDefinition } from './consumption.js'
import { inventoryDefinition } from './inventory/collector.js'
import { COLLECTOR_NAMES, type CollectorName } from './names.js'
import { orgMetricsDefinition } from './org-metrics/collector.js'
import { quotasDefinition } from './quotas.js'

/**
 * Every collector the exporter has, in the order the engine starts them (which is also the order of
 * their families in the exposition). The inventory comes first: it finds the organizations the others
 * poll.
 */
export const COLLECTORS: readonly CollectorDefinition[] = [
  inventoryDefinition,
  orgMetricsDefinition,
  quotasDefinition,
  consumptionDefinition
]

/** The definition of every name in COLLECTOR_NAMES; throws at start if one is missing. */
export function definitionOf(name: CollectorName): CollectorDefinition {
  const definition = COLLECTORS.find((candidate) => candidate.name === name)
  if (definition === undefined) throw new Error(`collector ${name} has no definition in the registry`)
  return definition
}

/** Names without a definition, or definitions listed twice: empty when the registry is complete. */
export function registryProblems(): string[] {
  const problems: string[] = []
  for (const name of COLLECTOR_NAMES) {
    const count = COLLECTORS.filter((definition) => definition.name === name).length
    if (count !== 1) problems.push(`${name}: ${count} definitions`)
  }
  return problems
}
