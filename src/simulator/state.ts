import { timingSafeEqual, createHash } from 'node:crypto'
import { buildCluster, layoutNodes } from './cluster-factory.js'
import { createSimulatorClock, type SimulatorClock } from './clock.js'
import { createFaultEngine, type FaultEngine, type FaultRule } from './faults.js'
import { rebaseCpu } from './node-model.js'
import { operationStatus, runningOperation, settleOperations, startOperation } from './operations.js'
import { renderChunks } from './org-metrics/render.js'
import { snapshotCluster, truthOf, type OrgMetricsTruth, type OrgSnapshot } from './org-metrics/snapshot.js'
import { PLANS, findPlan } from './plans.js'
import { createRandom, type Random } from './random.js'
import { createScenario, type ScenarioSpec } from './scenario.js'
import type { SimCluster, SimHealth, SimOrganization, SimProject } from './types.js'

export type ApiHealthStatus = SimHealth | 'UNKNOWN' | 'SUSPENDED'
export type MetricsJsonShape = 'prometheus' | 'series'

export interface SimulatorSettings {
  /** How a wrong or inactive key is answered: a JSON 401, or a 302 to /?rd=<path>. */
  authFailure: 401 | 302
  /** A second org-metrics request within the window gets the cached body (200) or a 429. */
  rateLimit: 'cache' | '429'
  /** Per organization, counted from the last request answered with a fresh body (simulated ms). */
  rateLimitWindowMs: number
  /** Adds fields the OpenAPI document does not know, as a newer API would. */
  extraFields: boolean
  /** Fraction of its CPUs a node uses on average (times the cluster's own factor). */
  cpuLoad: number
  metricsJsonShape: MetricsJsonShape
  /** Length of an asynchronous operation, REGISTERED to SUCCEEDED (simulated ms). */
  operationMs: number
  /** Operations started while this is on end FAILED instead of SUCCEEDED, changing nothing. */
  operationsFail: boolean
}

export interface SimulatorStateOptions {
  seed?: string | number
  scenario?: ScenarioSpec
  /** Pairs accepted at start; default: one pair derived from the seed. */
  credentials?: readonly { key: string; secret: string }[]
  clock?: SimulatorClock
  faults?: readonly FaultRule[]
  settings?: Partial<SimulatorSettings>
}

export interface Credential {
  readonly key: string
  readonly secret: string
  active: boolean
  lastUsedMs: number
}

export interface CreateClusterInput {
  organizationId: string
  projectId?: string
  name: string
  productName?: string
  numNodes?: number
  health?: SimHealth
  suspended?: boolean
  storageRatio?: number
  fullInHours?: number
  diskSizePerNodeBytes?: number
  crateVersion?: string
  shardsPerNode?: number
  /** Go through a CREATE operation (as the API does) instead of appearing ready at once. */
  viaOperation?: boolean
}

/**
 * How the org-metrics endpoint answered one request: a fresh body, the previous body again (200), a 429,
 * or a 204 because nothing of the organization runs.
 */
export type OrgMetricsOutcome = 'fresh' | 're-served' | 'throttled' | 'no-content'

export interface OrgMetricsRequest {
  /** Simulated time of the request (ms since epoch). */
  readonly atMs: number
  readonly organizationId: string
  readonly outcome: OrgMetricsOutcome
  /** When the body in effect was answered fresh (= atMs for a fresh answer); null before any. */
  readonly freshAtMs: number | null
  /** The Retry-After header of a throttled answer (seconds). */
  readonly retryAfterSeconds?: number
}

const KEY_IDLE_LIMIT_MS = 90 * 86_400_000
/** Enough for hours of polling of many organizations; the oldest entries go first. */
const ORG_METRICS_LOG_LIMIT = 20_000

export const DEFAULT_SETTINGS: SimulatorSettings = {
  authFailure: 401,
  rateLimit: 'cache',
  rateLimitWindowMs: 60_000,
  extraFields: false,
  cpuLoad: 0.35,
  metricsJsonShape: 'prometheus',
  operationMs: 8000,
  operationsFail: false
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

export function createSimulatorState(options: SimulatorStateOptions = {}) {
  const seed = options.seed ?? 1
  const clock = options.clock ?? createSimulatorClock()
  const settings: SimulatorSettings = { ...DEFAULT_SETTINGS, ...options.settings }
  const scenario = createScenario(options.scenario ?? { kind: 'demo' }, seed, clock.now(), settings.cpuLoad)
  const random: Random = scenario.random
  const organizations = new Map(scenario.organizations.map((org) => [org.id, org]))
  const projects = new Map(scenario.projects.map((p) => [p.id, p]))
  const clusters = new Map(scenario.clusters.map((c) => [c.id, c]))
  const credentials = new Map<string, Credential>()
  const faultEngine: FaultEngine = createFaultEngine(createRandom(`${seed}/faults`), options.faults ?? [])
  const served = new Map<string, { snapshot: OrgSnapshot; truth: OrgMetricsTruth }>()
  let apiRequests = 0
  const orgMetricsLog: OrgMetricsRequest[] = []

  const addCredential = (key: string, secret: string): void => {
    credentials.set(key, { key, secret, active: true, lastUsedMs: clock.now() })
  }
  if (options.credentials === undefined) {
    const pairs = createRandom(`${seed}/credentials`)
    addCredential(`crate_${pairs.hex(40)}`, pairs.hex(43))
  } else for (const pair of options.credentials) addCredential(pair.key, pair.secret)

  const cluster = (id: string): SimCluster | undefined => clusters.get(id)
  const refresh = (): void => {
    const now = clock.now()
    for (const c of clusters.values()) settleOperations(c, now)
  }
  const healthStatus = (c: SimCluster): ApiHealthStatus => {
    const now = clock.now()
    const running = runningOperation(c, now)
    if (running?.type === 'CREATE') return 'UNKNOWN'
    if (c.suspended) return 'SUSPENDED'
    if (running?.type === 'EXPAND_STORAGE' && operationStatus(running, now) === 'IN_PROGRESS')
      return 'SUSPENDED'
    return c.baseHealth
  }
  const isEmitting = (c: SimCluster): boolean => {
    const status = healthStatus(c)
    return status !== 'SUSPENDED' && status !== 'UNKNOWN'
  }
  const snapshotOrg = (organizationId: string, atMs: number): OrgSnapshot | null => {
    refresh()
    const list = [...clusters.values()].filter((c) => c.organizationId === organizationId && isEmitting(c))
    if (list.length === 0) return null
    return { organizationId, atMs, clusters: list.map((c) => snapshotCluster(c, atMs, healthStatus(c))) }
  }
  const requireCluster = (id: string): SimCluster => {
    const found = clusters.get(id)
    if (found === undefined) throw new RangeError(`no cluster ${id}`)
    return found
  }

  return {
    clock,
    settings,
    random,
    faultEngine,
    organizations: (): SimOrganization[] => [...organizations.values()],
    organization: (id: string): SimOrganization | undefined => organizations.get(id),
    projects: (organizationId?: string): SimProject[] =>
      [...projects.values()].filter(
        (p) => organizationId === undefined || p.organizationId === organizationId
      ),
    project: (id: string): SimProject | undefined => projects.get(id),
    clusters: (filter: { organizationId?: string; projectId?: string } = {}): SimCluster[] =>
      [...clusters.values()].filter(
        (c) =>
          (filter.organizationId === undefined || c.organizationId === filter.organizationId) &&
          (filter.projectId === undefined || c.projectId === filter.projectId)
      ),
    cluster,
    credentials: (): readonly Credential[] => [...credentials.values()],
    addCredential,
    deactivateCredential(key: string): boolean {
      const found = credentials.get(key)
      if (found === undefined) return false
      found.active = false
      return true
    },
    /** Constant-time comparison; a key idle for 90 days no longer works (as the real keys). */
    authenticate(key: string, secret: string): boolean {
      const found = credentials.get(key)
      const ok = found !== undefined && timingSafeEqual(digest(found.secret), digest(secret))
      const now = clock.now()
      if (!ok || !found.active || now - found.lastUsedMs > KEY_IDLE_LIMIT_MS) return false
      found.lastUsedMs = now
      return true
    },
    createCluster(input: CreateClusterInput): SimCluster {
      if (!organizations.has(input.organizationId))
        throw new RangeError(`no organization ${input.organizationId}`)
      const projectId =
        input.projectId ?? [...projects.values()].find((p) => p.organizationId === input.organizationId)?.id
      if (projectId === undefined || projects.get(projectId)?.organizationId !== input.organizationId)
        throw new RangeError(
          `no project ${input.projectId ?? '(none)'} in organization ${input.organizationId}`
        )
      const plan = findPlan(input.productName ?? 'cr1') ?? PLANS[5]
      if (plan === undefined) throw new RangeError(`unknown product ${input.productName ?? ''}`)
      const now = clock.now()
      const built = buildCluster(random, {
        organizationId: input.organizationId,
        projectId,
        name: input.name,
        plan,
        numNodes: Math.min(plan.maxNodes, Math.max(1, input.numNodes ?? 1)),
        createdMs: now,
        nowMs: now,
        cpuLoad: settings.cpuLoad,
        ...(input.health === undefined ? {} : { health: input.health }),
        ...(input.suspended === undefined ? {} : { suspended: input.suspended }),
        ...(input.storageRatio === undefined ? {} : { storageRatio: input.storageRatio }),
        ...(input.fullInHours === undefined ? {} : { fullInHours: input.fullInHours }),
        ...(input.diskSizePerNodeBytes === undefined
          ? {}
          : { diskSizePerNodeBytes: input.diskSizePerNodeBytes }),
        ...(input.crateVersion === undefined ? {} : { crateVersion: input.crateVersion }),
        ...(input.shardsPerNode === undefined ? {} : { shardsPerNode: input.shardsPerNode })
      })
      const create = startOperation(random, built, now, {
        type: 'CREATE',
        durationMs: input.viaOperation === true ? settings.operationMs : 0,
        apply: () => undefined
      })
      if (input.viaOperation !== true) create.finished = true
      clusters.set(built.id, built)
      return built
    },
    deleteCluster: (id: string): boolean => clusters.delete(id),
    /** Immediate (no operation): for tests and the admin API. */
    suspendCluster(id: string, suspended: boolean): void {
      const c = requireCluster(id)
      c.suspended = suspended
      c.modifiedMs = clock.now()
    },
    /** Immediate (no operation): for tests and the admin API. */
    scaleCluster(id: string, numNodes: number): void {
      const c = requireCluster(id)
      layoutNodes(
        random,
        c,
        Math.max(1, Math.min(9, Math.floor(numNodes))),
        clock.now(),
        settings.cpuLoad * c.loadFactor
      )
      c.productUnit = c.plan.dedicated ? c.nodes.length - 1 : 0
      c.modifiedMs = clock.now()
    },
    setCpuLoad(load: number): void {
      if (!Number.isFinite(load) || load < 0 || load > 1)
        throw new RangeError(`cpu load must be within 0..1, got ${load}`)
      settings.cpuLoad = load
      const now = clock.now()
      for (const c of clusters.values())
        for (const node of c.nodes) rebaseCpu(c, node, now, load * c.loadFactor)
    },
    setFaults: (rules: readonly FaultRule[]): void => faultEngine.setRules(rules),
    faults: (): readonly FaultRule[] => faultEngine.rules(),
    /** Called for every request under /api/, before faults and authentication. */
    countApiRequest: (): void => {
      apiRequests++
    },
    /** Requests received under /api/ so far, for tests that prove a path makes no API call. */
    apiRequestCount: (): number => apiRequests,
    refresh,
    healthStatus,
    isEmitting,
    snapshotOrg,
    /** Writes the org-metrics body for `nowMs`; returns its ground truth, or null when nothing runs (204). */
    renderOrgMetrics(
      organizationId: string,
      nowMs: number,
      write: (chunk: string | Buffer) => void
    ): OrgMetricsTruth | null {
      const snapshot = snapshotOrg(organizationId, nowMs)
      if (snapshot === null) return null
      for (const chunk of renderChunks(snapshot)) write(chunk)
      return truthOf(snapshot)
    },
    /** Called by the org-metrics route for every request that reaches it. */
    recordOrgMetricsRequest(entry: OrgMetricsRequest): void {
      orgMetricsLog.push(entry)
      if (orgMetricsLog.length > ORG_METRICS_LOG_LIMIT)
        orgMetricsLog.splice(0, orgMetricsLog.length - ORG_METRICS_LOG_LIMIT)
    },
    /** The org-metrics requests so far (the newest 20,000), oldest first, of one organization or all. */
    orgMetricsRequests: (organizationId?: string): OrgMetricsRequest[] =>
      orgMetricsLog.filter(
        (entry) => organizationId === undefined || entry.organizationId === organizationId
      ),
    /** Called by the route for the body it actually serves. */
    recordServed(snapshot: OrgSnapshot): void {
      served.set(snapshot.organizationId, { snapshot, truth: truthOf(snapshot) })
    },
    lastServedSnapshot: (organizationId: string): OrgSnapshot | undefined =>
      served.get(organizationId)?.snapshot,
    /** Ground truth of the last org-metrics body served for the organization. */
    lastOrgMetrics: (organizationId: string): OrgMetricsTruth | undefined => served.get(organizationId)?.truth
  }
}

export type SimulatorState = ReturnType<typeof createSimulatorState>
