import { describe, expect, it } from 'vitest'
import { fnv1a32, ownsOrganization, shardOf } from '../../../src/collectors/shard.js'

describe('organization shards', () => {
  it('hashes with 32-bit FNV-1a (reference values)', () => {
    // Published test vectors of FNV-1a 32: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968
    expect(fnv1a32('')).toBe(0x811c9dc5)
    expect(fnv1a32('a')).toBe(0xe40c292c)
    expect(fnv1a32('foobar')).toBe(0xbf9cf968)
  })

  it('gives every organization exactly one shard, the same one every time', () => {
    const ids = Array.from(
      { length: 1000 },
      (_v, i) => `9b2f${i.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`
    )
    for (const total of [1, 2, 3, 7]) {
      const counts = new Array<number>(total).fill(0)
      for (const id of ids) {
        const owners = Array.from({ length: total }, (_v, ordinal) => ordinal).filter((ordinal) =>
          ownsOrganization({ total, ordinal }, id)
        )
        expect(owners).toEqual([shardOf(id, total)])
        counts[shardOf(id, total)] = (counts[shardOf(id, total)] ?? 0) + 1
      }
      // spread: no shard gets less than half its fair share of 1000 ids
      for (const count of counts) expect(count).toBeGreaterThan(1000 / total / 2)
    }
  })

  it('refuses a total below 1', () => {
    expect(() => shardOf('x', 0)).toThrow(RangeError)
  })
})
