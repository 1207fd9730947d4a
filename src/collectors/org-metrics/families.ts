import { CHAR_CLASS, METRIC_CHAR } from '../../prom-text/chars.js'

/** The metric families the organization metrics reader keeps; every other line is dropped unread. */
export const FAMILY_NONE = -1
export const FAMILY_HEALTH = 0
export const FAMILY_CPU = 1
export const FAMILY_MEMORY = 2
export const FAMILY_HEAP_POOL = 3
export const FAMILY_HEAP_MAX = 4
export const FAMILY_SHARDS = 5
export const FAMILY_READY = 6
export const FAMILY_LAST_ACTIVITY = 7
export const FAMILY_QUERY_TOTAL = 8
export const FAMILY_QUERY_FAILED = 9
export const FAMILY_QUERY_DURATION = 10
/** Kept families are numbered 0 .. FAMILY_COUNT - 1. */
export const FAMILY_COUNT = 11

const FAMILIES: readonly (readonly [string, number])[] = [
  ['cloud_clusters_health', FAMILY_HEALTH],
  ['container_cpu_usage_seconds_total', FAMILY_CPU],
  ['container_memory_usage_bytes', FAMILY_MEMORY],
  ['jvm_memory_pool_bytes_used', FAMILY_HEAP_POOL],
  ['jvm_memory_bytes_max', FAMILY_HEAP_MAX],
  ['crate_node', FAMILY_SHARDS],
  ['crate_ready', FAMILY_READY],
  ['cratedb_cluster_last_user_activity', FAMILY_LAST_ACTIVITY],
  ['crate_query_total_count', FAMILY_QUERY_TOTAL],
  ['crate_query_failed_count', FAMILY_QUERY_FAILED],
  ['crate_query_sum_of_durations_millis', FAMILY_QUERY_DURATION]
]

interface FamilyName {
  readonly bytes: Buffer
  readonly family: number
}

/** Indexed by name length: most lengths have no candidate, the rest one or two. */
const BY_LENGTH: (FamilyName[] | undefined)[] = []
for (const [name, family] of FAMILIES) {
  const bucket = (BY_LENGTH[name.length] ??= [])
  bucket.push({ bytes: Buffer.from(name, 'latin1'), family })
}

/**
 * Candidates by the first byte of a name and its byte at KEY_OFFSET (every kept name is longer): most
 * lines of the body (thread pools, circuit breakers, connections...) find no candidate after two reads,
 * without their name being scanned.
 */
const KEY_OFFSET = 6
const BUCKET_OF_KEY = new Uint8Array(256 * 256)
const BUCKETS: FamilyName[][] = [[]]
for (const [name, family] of FAMILIES) {
  const key = name.charCodeAt(0) * 256 + name.charCodeAt(KEY_OFFSET)
  if (BUCKET_OF_KEY[key] === 0) {
    BUCKET_OF_KEY[key] = BUCKETS.length
    BUCKETS.push([])
  }
  BUCKETS[BUCKET_OF_KEY[key]!]!.push({ bytes: Buffer.from(name, 'latin1'), family })
}

/**
 * The family of the line starting at `start`, read from the metric name alone (no label is looked at),
 * or FAMILY_NONE. A line that does not start with a name (blank, comment, garbage) is FAMILY_NONE too.
 * Same answer as familyOfName over the whole name.
 */
export function familyAt(buf: Buffer, start: number, end: number): number {
  if (end - start <= KEY_OFFSET) return FAMILY_NONE
  const bucket = BUCKET_OF_KEY[buf[start]! * 256 + buf[start + KEY_OFFSET]!]!
  if (bucket === 0) return FAMILY_NONE
  for (const candidate of BUCKETS[bucket]!) {
    const bytes = candidate.bytes
    const length = bytes.length
    if (end - start < length) continue
    // The name must end where the candidate does: crate_node, not crate_nodes.
    if (start + length < end && (CHAR_CLASS[buf[start + length]!]! & METRIC_CHAR) !== 0) continue
    let k = length - 1
    while (k >= 0 && bytes[k] === buf[start + k]) k--
    if (k < 0) return candidate.family
  }
  return FAMILY_NONE
}

/** The family of the metric name buf[start, end), or FAMILY_NONE. */
export function familyOfName(buf: Buffer, start: number, end: number): number {
  const candidates = BY_LENGTH[end - start]
  if (candidates === undefined) return FAMILY_NONE
  for (const candidate of candidates) {
    const bytes = candidate.bytes
    let k = bytes.length - 1
    while (k >= 0 && bytes[k] === buf[start + k]) k--
    if (k < 0) return candidate.family
  }
  return FAMILY_NONE
}

const NAME_LENGTHS: number[] = []
for (const [name, family] of FAMILIES) NAME_LENGTHS[family] = name.length

/** The length of the metric name of a kept family. */
export function familyNameLength(family: number): number {
  return NAME_LENGTHS[family]!
}
