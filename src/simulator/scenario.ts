import { buildCluster, type ClusterSpec } from './cluster-factory.js'
import { startOperation } from './operations.js'
import { PLANS, findPlan, type Plan } from './plans.js'
import { createRandom, type Random } from './random.js'
import type { SimCluster, SimHealth, SimOrganization, SimProject } from './types.js'

export type ScenarioSpec =
  | { readonly kind: 'demo' }
  | {
      readonly kind: 'generated'
      readonly organizations: number
      readonly projectsPerOrganization: number
      /** Clusters per organization. */
      readonly clusters: number
      /** Shard copies per node (default: 10..80 at random). */
      readonly shardsPerNode?: number
    }

export interface Scenario {
  readonly organizations: SimOrganization[]
  readonly projects: SimProject[]
  readonly clusters: SimCluster[]
  /** The generator the state keeps using, so runtime additions stay deterministic. */
  readonly random: Random
}

export const REGIONS = [
  'aks1.westeurope.azure',
  'aks1.eastus2.azure',
  'eks1.eu-west-1.aws',
  'eks1.us-east-1.aws'
]

const DAY_MS = 86_400_000
/** An operation that outlives any test or demo run, so a dashboard always has one to show. */
export const LONG_OPERATION_MS = 10 * 365 * DAY_MS

interface Context {
  readonly random: Random
  readonly nowMs: number
  readonly cpuLoad: number
}

function organization(ctx: Context, name: string): SimOrganization {
  return {
    id: ctx.random.uuid(),
    name,
    email: `ops@${name.replace(/[^a-z0-9]+/g, '-')}.example.com`,
    planType: 3,
    createdMs: ctx.nowMs - ctx.random.int(200, 900) * DAY_MS
  }
}

function project(ctx: Context, org: SimOrganization, name: string, region: string): SimProject {
  return { id: ctx.random.uuid(), name, organizationId: org.id, region, createdMs: org.createdMs + DAY_MS }
}

function plan(name: string): Plan {
  const found = findPlan(name)
  if (found === undefined) throw new Error(`unknown plan ${name}`)
  return found
}

function cluster(
  ctx: Context,
  p: SimProject,
  name: string,
  spec: Omit<ClusterSpec, 'organizationId' | 'projectId' | 'name' | 'createdMs' | 'nowMs' | 'cpuLoad'>
): SimCluster {
  const created = ctx.nowMs - ctx.random.int(5, 150) * DAY_MS
  const built = buildCluster(ctx.random, {
    ...spec,
    organizationId: p.organizationId,
    projectId: p.id,
    name,
    createdMs: created,
    nowMs: ctx.nowMs,
    cpuLoad: ctx.cpuLoad
  })
  const create = startOperation(ctx.random, built, created, {
    type: 'CREATE',
    durationMs: 240_000,
    apply: () => undefined
  })
  create.finished = true
  return built
}

function demo(ctx: Context): Omit<Scenario, 'random'> {
  const acme = organization(ctx, 'acme-analytics')
  const globex = organization(ctx, 'globex-research')
  const production = project(ctx, acme, 'production', 'aks1.westeurope.azure')
  const analytics = project(ctx, acme, 'analytics', 'eks1.eu-west-1.aws')
  const research = project(ctx, globex, 'research', 'aks1.eastus2.azure')
  const search = cluster(ctx, production, 'search-api', {
    plan: plan('cr2'),
    numNodes: 2,
    qps: 250,
    shardsPerNode: 60
  })
  const clusters = [
    cluster(ctx, production, 'orders-prod', {
      plan: plan('cr2'),
      numNodes: 3,
      qps: 400,
      storageRatio: 0.42,
      shardsPerNode: 157
    }),
    cluster(ctx, production, 'events-stream', {
      plan: plan('cr1'),
      numNodes: 2,
      health: 'YELLOW',
      storageRatio: 0.55
    }),
    cluster(ctx, production, 'legacy-reporting', {
      plan: plan('cr1'),
      numNodes: 1,
      health: 'UNREACHABLE',
      qps: 5
    }),
    cluster(ctx, analytics, 'staging', { plan: plan('cr1'), numNodes: 2, suspended: true }),
    cluster(ctx, analytics, 'telemetry-archive', {
      plan: plan('cr3'),
      numNodes: 3,
      // Per fullest node (about 85 % for the whole cluster, above the 80 % alert); the fullest node fills
      // in 8 h and the whole cluster in about 12 h, well inside the 24 h storage alert.
      storageRatio: 0.92,
      fullInHours: 8,
      loadFactor: 1.6,
      shardsPerNode: 90
    }),
    search,
    cluster(ctx, analytics, 'sandbox', { plan: plan('crfree'), numNodes: 1, qps: 2, shardsPerNode: 12 }),
    cluster(ctx, analytics, 'analytics-dev', { plan: plan('s4'), numNodes: 1, qps: 20, shardsPerNode: 30 }),
    cluster(ctx, research, 'ml-features', { plan: plan('cr4'), numNodes: 5, qps: 900, shardsPerNode: 40 }),
    cluster(ctx, research, 'notebooks', { plan: plan('s6'), numNodes: 1, qps: 12, shardsPerNode: 20 })
  ]
  startOperation(ctx.random, search, ctx.nowMs - 90_000, {
    type: 'UPGRADE',
    durationMs: LONG_OPERATION_MS,
    nonSensitiveData: { current_version: search.crateVersion, target_version: '5.10.2' },
    apply: (target) => {
      target.crateVersion = '5.10.2'
    }
  })
  return { organizations: [acme, globex], projects: [production, analytics, research], clusters }
}

const HEALTH_MIX: readonly SimHealth[] = [
  ...Array<SimHealth>(40).fill('GREEN'),
  'YELLOW',
  'YELLOW',
  'YELLOW',
  'RED',
  'UNREACHABLE'
]
const NODE_COUNTS = [1, 1, 1, 2, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9]

function generated(
  ctx: Context,
  spec: Extract<ScenarioSpec, { kind: 'generated' }>
): Omit<Scenario, 'random'> {
  const organizations: SimOrganization[] = []
  const projects: SimProject[] = []
  const clusters: SimCluster[] = []
  const width = String(Math.max(spec.clusters, 1)).length
  for (let o = 0; o < spec.organizations; o++) {
    const org = organization(ctx, `org-${String(o + 1).padStart(2, '0')}`)
    organizations.push(org)
    const own = Array.from({ length: Math.max(1, spec.projectsPerOrganization) }, (_, p) =>
      project(ctx, org, `project-${String(p + 1).padStart(2, '0')}`, ctx.random.pick(REGIONS))
    )
    projects.push(...own)
    for (let c = 0; c < spec.clusters; c++) {
      const chosen = ctx.random.pick(PLANS)
      const numNodes = chosen.dedicated ? ctx.random.pick(NODE_COUNTS) : 1
      const p = own[c % own.length] ?? own[0]
      if (p === undefined) break
      clusters.push(
        cluster(ctx, p, `cluster-${String(c + 1).padStart(width, '0')}`, {
          plan: chosen,
          numNodes,
          health: ctx.random.pick(HEALTH_MIX),
          suspended: chosen.dedicated && ctx.random.next() < 0.04,
          storageRatio: 0.05 + ctx.random.next() * 0.85,
          shardsPerNode: spec.shardsPerNode ?? ctx.random.int(10, 80)
        })
      )
    }
  }
  return { organizations, projects, clusters }
}

export function createScenario(
  spec: ScenarioSpec,
  seed: string | number,
  nowMs: number,
  cpuLoad: number
): Scenario {
  const random = createRandom(`${seed}`)
  const ctx: Context = { random, nowMs, cpuLoad }
  const built = spec.kind === 'demo' ? demo(ctx) : generated(ctx, spec)
  return { ...built, random }
}
