/**
 * Route templates of the CrateDB Cloud API endpoints the exporter calls. Metrics and errors are labelled
 * with the template, never with the expanded path, so that ids do not become label values.
 */
export const ENDPOINTS = {
  currentUser: '/api/v2/users/me/',
  organizations: '/api/v2/organizations/',
  organizationProjects: '/api/v2/organizations/{organization_id}/projects/',
  organizationClusters: '/api/v2/organizations/{organization_id}/clusters/',
  quotas: '/api/v2/organizations/{organization_id}/quotas/',
  currentConsumption: '/api/v2/organizations/{organization_id}/consumption/current-month/',
  orgMetrics: '/api/v2/organizations/{organization_id}/metrics/prometheus/',
  // The storage autopilot's calls; made only when autopilot.storage is configured.
  cluster: '/api/v2/clusters/{cluster_id}/',
  clusterOperations: '/api/v2/clusters/{cluster_id}/operations/',
  clusterStorage: '/api/v2/clusters/{cluster_id}/storage/'
} as const

export type EndpointTemplate = (typeof ENDPOINTS)[keyof typeof ENDPOINTS]

/** Fills `{name}` placeholders; every value is percent-encoded so an id can never change the path's shape. */
export function expandPath(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{([a-z_]+)\}/g, (_match, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`)
    return encodeURIComponent(value)
  })
}
