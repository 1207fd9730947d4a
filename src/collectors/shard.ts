/**
 * Which exporter polls which organization when several split them (--total-shards, --shard). The
 * assignment depends only on the organization id and the number of shards, so every shard computes
 * the same split on its own, without talking to the others, and an organization stays on its shard
 * across restarts. Every shard still lists the organizations (one call per cycle) to learn the ids.
 */

export interface Sharding {
  readonly total: number
  readonly ordinal: number
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** 32-bit FNV-1a of the UTF-8 bytes: stable across processes, versions and platforms. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, FNV_PRIME) >>> 0
  }
  return hash >>> 0
}

/** The shard, from 0 to total - 1, that polls the organization with this id. */
export function shardOf(organizationId: string, total: number): number {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`total shards must be >= 1, got ${total}`)
  return fnv1a32(organizationId) % total
}

export function ownsOrganization(sharding: Sharding, organizationId: string): boolean {
  return sharding.total <= 1 || shardOf(organizationId, sharding.total) === sharding.ordinal
}
