import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FAMILY_CPU,
  FAMILY_HEALTH,
  FAMILY_LAST_ACTIVITY,
  FAMILY_NONE,
  FAMILY_QUERY_DURATION,
  FAMILY_QUERY_TOTAL,
  FAMILY_SHARDS,
  familyAt,
  familyOfName
} from '../../../../src/collectors/org-metrics/families.js'

const KEPT: readonly (readonly [string, number])[] = [
  ['cloud_clusters_health', FAMILY_HEALTH],
  ['container_cpu_usage_seconds_total', FAMILY_CPU],
  ['crate_node', FAMILY_SHARDS],
  ['cratedb_cluster_last_user_activity', FAMILY_LAST_ACTIVITY],
  ['crate_query_total_count', FAMILY_QUERY_TOTAL],
  ['crate_query_sum_of_durations_millis', FAMILY_QUERY_DURATION]
]

/** familyAt of `line`, placed inside a larger buffer so that offsets other than 0 are exercised. */
function familyOfLine(line: string): number {
  const buf = Buffer.from(`xx\n${line}\nyy`, 'latin1')
  return familyAt(buf, 3, 3 + Buffer.byteLength(line, 'latin1'))
}

describe('familyAt', () => {
  it('finds a kept family whatever ends its name: labels, a blank or the end of the line', () => {
    for (const [name, family] of KEPT) {
      expect(familyOfLine(`${name}{pod="p"} 1`)).toBe(family)
      expect(familyOfLine(`${name} 1`)).toBe(family)
      expect(familyOfLine(`${name}\t1`)).toBe(family)
      expect(familyOfLine(name)).toBe(family)
    }
  })

  it('does not take a longer or shorter name, or another name of the same first bytes, for a kept one', () => {
    for (const line of [
      'crate_nodes{pod="p"} 1',
      'crate_node_info 1',
      'crate_node:rate 1',
      'crate_nod{pod="p"} 1',
      'crate_threadpools{name="search"} 1',
      'crate_circuitbreakers{name="query"} 1',
      'crate_query_affected_row_count{query="Select"} 1',
      'container_fs_reads_bytes_total{pod="p"} 1',
      'cloud_clusters_healthy 1',
      'up 1',
      'crate',
      '',
      '# HELP crate_node the node',
      ' crate_node 1'
    ])
      expect(familyOfLine(line), line).toBe(FAMILY_NONE)
  })

  it('answers as familyOfName over the whole metric name, for names near the kept ones', () => {
    // Kept names cut short, lengthened, or with one byte changed, followed by what ends a name or not.
    const nearName = fc
      .tuple(
        fc.constantFrom(...KEPT.map(([name]) => name), 'crate_threadpools', 'jvm_memory_bytes_max'),
        fc.nat(40),
        fc.constantFrom('', '_', 'x', ':', '0'),
        fc.nat(40),
        fc.constantFrom('c', 'n', 'r', '_', 'q', 'Z')
      )
      .map(([name, cut, extra, at, byte]) => {
        const shortened = name.slice(0, Math.max(1, name.length - (cut % 3 === 0 ? cut % 7 : 0)))
        const changed =
          at % 4 === 0
            ? shortened.slice(0, at % shortened.length) + byte + shortened.slice((at % shortened.length) + 1)
            : shortened
        return changed + extra
      })
    fc.assert(
      fc.property(nearName, fc.constantFrom('', '{a="b"} 1', ' 1', '\t2 3'), (name, rest) => {
        const buf = Buffer.from(name + rest, 'latin1')
        expect(familyAt(buf, 0, buf.length)).toBe(familyOfName(buf, 0, name.length))
      }),
      { numRuns: 2000 }
    )
  })
})
