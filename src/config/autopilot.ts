/**
 * The `autopilot.storage` section of the YAML file: the storage autopilot's policy. Absent, the
 * autopilot is off; present, it runs in dry-run unless `mode: apply`. docs/autopilot.md describes every
 * key. Every problem is reported with its path, like the rest of the configuration.
 */
import { didYouMean, duration, oneOf, regexList, shown } from './parse.js'
import type {
  AutopilotMode,
  MaintenanceWindow,
  NameFilter,
  StorageAutopilotConfig,
  StorageStep
} from './types.js'

export type { AutopilotMode, MaintenanceWindow, StorageAutopilotConfig, StorageStep } from './types.js'

export const AUTOPILOT_PATH = 'autopilot.storage'

const GIB = 1024 ** 3
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: GIB,
  tib: 1024 ** 4
}

/** A size: a whole number of bytes, or "64GiB", "1.5TiB", "500GB". */
export function parseBytes(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : undefined
  if (typeof raw !== 'string') return undefined
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim())
  if (match === null) return undefined
  const unit = UNITS[(match[2] ?? '').toLowerCase() || 'b']
  if (unit === undefined) return undefined
  const bytes = Math.round(Number(match[1]) * unit)
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']

const KEYS = [
  'mode',
  'interval',
  'organizations',
  'projects',
  'clusters',
  'trigger',
  'step',
  'round_to',
  'limits',
  'maintenance_window',
  'stale_after',
  'forecast_window',
  'operation_timeout',
  'operation_poll_interval'
]
const TRIGGER_KEYS = ['fullest_node_above', 'for', 'flood_stage_within']
const LIMIT_KEYS = [
  'max_disk_size_per_node',
  'cooldown',
  'max_per_cluster_per_day',
  'max_per_organization_per_day'
]
const WINDOW_KEYS = ['days', 'start', 'duration']

type Raw = Record<string, unknown>

function mapping(raw: unknown, path: string, keys: readonly string[], problems: string[]): Raw | null {
  if (raw === undefined || raw === null) return null
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${path}: must be a mapping, got ${shown(raw)}`)
    return null
  }
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) problems.push(`${path}.${key}: unknown key${didYouMean(key, keys)}`)
  }
  return raw as Raw
}

/** Parses the section; returns null (and adds problems) when it cannot be used. */
export function parseStorageAutopilot(raw: unknown, problems: string[]): StorageAutopilotConfig | null {
  const before = problems.length
  const at = (key: string): string => `${AUTOPILOT_PATH}.${key}`
  const root = mapping(raw ?? {}, AUTOPILOT_PATH, KEYS, problems) ?? {}

  const durationOf = (value: unknown, path: string, fallback: number): number => {
    if (value === undefined || value === null) return fallback
    const parsed = duration(value)
    if (parsed.ok) return parsed.value
    problems.push(`${path}: ${parsed.error}`)
    return fallback
  }
  const countOf = (value: unknown, path: string, fallback: number): number => {
    if (value === undefined || value === null) return fallback
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 1000) return value
    problems.push(`${path}: must be a whole number from 1 to 1000, got ${shown(value)}`)
    return fallback
  }
  const filterOf = (key: string): NameFilter => {
    const section = mapping(root[key], at(key), ['include', 'exclude'], problems)
    const list = (which: 'include' | 'exclude'): string[] => {
      const parsed = regexList(section?.[which])
      if (parsed.ok) return parsed.value
      problems.push(`${at(key)}.${which}: ${parsed.error}`)
      return []
    }
    return { include: list('include'), exclude: list('exclude') }
  }

  let mode: AutopilotMode = 'dry_run'
  if (root['mode'] !== undefined && root['mode'] !== null) {
    const parsed = oneOf<AutopilotMode>(['dry_run', 'apply'])(root['mode'])
    if (parsed.ok) mode = parsed.value
    else problems.push(`${at('mode')}: ${parsed.error}`)
  }

  const trigger = mapping(root['trigger'], at('trigger'), TRIGGER_KEYS, problems) ?? {}
  let fullestNodeAbove: number | null = null
  if (trigger['fullest_node_above'] !== undefined && trigger['fullest_node_above'] !== null) {
    const value = trigger['fullest_node_above']
    if (typeof value === 'number' && value > 0 && value < 1) fullestNodeAbove = value
    else
      problems.push(
        `${at('trigger.fullest_node_above')}: must be a ratio between 0 and 1 (e.g. 0.85), got ${shown(value)}`
      )
  }
  const floodStageWithinSeconds =
    trigger['flood_stage_within'] === undefined || trigger['flood_stage_within'] === null
      ? null
      : durationOf(trigger['flood_stage_within'], at('trigger.flood_stage_within'), 0)
  if (fullestNodeAbove === null && floodStageWithinSeconds === null && problems.length === before)
    problems.push(`${at('trigger')}: set fullest_node_above, flood_stage_within, or both`)

  let step: StorageStep = { kind: 'percent', value: 25 }
  if (root['step'] !== undefined && root['step'] !== null) {
    const value = root['step']
    const percent = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim()) : null
    const bytes = percent === null ? parseBytes(value) : undefined
    if (percent !== null && Number(percent[1]) > 0 && Number(percent[1]) <= 100)
      step = { kind: 'percent', value: Number(percent[1]) }
    else if (bytes !== undefined) step = { kind: 'bytes', value: bytes }
    else
      problems.push(
        `${at('step')}: must be a percentage up to 100 % ("25%") or a size ("64GiB", bytes), got ${shown(value)}`
      )
  }
  let roundToBytes = GIB
  if (root['round_to'] !== undefined && root['round_to'] !== null) {
    const bytes = parseBytes(root['round_to'])
    if (bytes !== undefined) roundToBytes = bytes
    else
      problems.push(
        `${at('round_to')}: must be a size like "1GiB" or "32GiB", got ${shown(root['round_to'])}`
      )
  }

  const limits = mapping(root['limits'], at('limits'), LIMIT_KEYS, problems) ?? {}
  const max = parseBytes(limits['max_disk_size_per_node'])
  if (max === undefined)
    problems.push(
      `${at('limits.max_disk_size_per_node')}: required, a size like "1TiB" (the autopilot never grows a node's disk beyond it), got ${shown(limits['max_disk_size_per_node'])}`
    )

  const maintenanceWindow = parseWindow(
    root['maintenance_window'],
    at('maintenance_window'),
    problems,
    durationOf
  )

  const config: StorageAutopilotConfig = {
    mode,
    intervalSeconds: durationOf(root['interval'], at('interval'), 60),
    organizations: filterOf('organizations'),
    projects: filterOf('projects'),
    clusters: filterOf('clusters'),
    trigger: {
      fullestNodeAbove,
      forSeconds: durationOf(trigger['for'], at('trigger.for'), 15 * 60),
      floodStageWithinSeconds
    },
    step,
    roundToBytes,
    limits: {
      maxDiskSizePerNodeBytes: max ?? 0,
      cooldownSeconds: durationOf(limits['cooldown'], at('limits.cooldown'), 6 * 3600),
      maxPerClusterPerDay: countOf(
        limits['max_per_cluster_per_day'],
        at('limits.max_per_cluster_per_day'),
        2
      ),
      maxPerOrganizationPerDay: countOf(
        limits['max_per_organization_per_day'],
        at('limits.max_per_organization_per_day'),
        5
      )
    },
    maintenanceWindow,
    staleAfterSeconds: durationOf(root['stale_after'], at('stale_after'), 5 * 60),
    forecastWindowSeconds: durationOf(root['forecast_window'], at('forecast_window'), 6 * 3600),
    operationTimeoutSeconds: durationOf(root['operation_timeout'], at('operation_timeout'), 30 * 60),
    operationPollSeconds: durationOf(root['operation_poll_interval'], at('operation_poll_interval'), 15)
  }
  return problems.length === before ? config : null
}

function parseWindow(
  raw: unknown,
  path: string,
  problems: string[],
  durationOf: (value: unknown, path: string, fallback: number) => number
): MaintenanceWindow | null {
  const section = mapping(raw, path, WINDOW_KEYS, problems)
  if (section === null) return null
  let days = [0, 1, 2, 3, 4, 5, 6]
  if (section['days'] !== undefined && section['days'] !== null) {
    const list = section['days']
    const parsed = Array.isArray(list)
      ? list.map((day: unknown) =>
          typeof day === 'string' ? DAYS.indexOf(day.trim().toLowerCase().slice(0, 3)) : -1
        )
      : []
    if (parsed.length === 0 || parsed.includes(-1))
      problems.push(`${path}.days: must be a list of week days like [sat, sun], got ${shown(list)}`)
    else days = [...new Set(parsed)].sort()
  }
  const start = section['start']
  const match = typeof start === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(start.trim()) : null
  if (match === null) problems.push(`${path}.start: must be a UTC time like "02:00", got ${shown(start)}`)
  const durationSeconds = durationOf(section['duration'], `${path}.duration`, 0)
  if (section['duration'] === undefined || section['duration'] === null)
    problems.push(`${path}.duration: required, a duration like "4h"`)
  else if (durationSeconds > 7 * 86400) problems.push(`${path}.duration: must be at most 7d`)
  return {
    days,
    startMinutes: match === null ? 0 : Number(match[1]) * 60 + Number(match[2]),
    durationSeconds
  }
}
