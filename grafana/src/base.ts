import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType
} from '@grafana/grafana-foundation-sdk/dashboard'

/** Stable dashboard uids: links, bookmarks and the provisioned files depend on them. */
export const DASHBOARD_UIDS = {
  overview: 'cratedb-cloud-overview',
  cluster: 'cratedb-cloud-cluster',
  exporter: 'cratedb-cloud-exporter'
} as const

export const DASHBOARD_TAG = 'cratedb-cloud'

export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG])
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(
      new DashboardLinkBuilder('CrateDB Cloud')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
    )
}

/** Data link from the Cluster column of a table to the cluster dashboard, keeping data source and time. */
export const CLUSTER_DASHBOARD_LINK =
  `/d/${DASHBOARD_UIDS.cluster}/cratedb-cloud-cluster?\${datasource:queryparam}` +
  '&var-organization=${__data.fields["Organization"]}&var-cluster=${__value.raw}&${__url_time_range}'
