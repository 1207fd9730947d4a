import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createOrgMetricsReader } from '../../src/collectors/org-metrics/reader.js'
import type { OrgMetricsReading } from '../../src/collectors/org-metrics/types.js'
import { createPromTextParser, type PromTextStats } from '../../src/prom-text/index.js'
import { sharedFile } from '../helpers/environment.js'

/**
 * Upper bound of `work` per input byte, from the parser's design: every line is scanned once (1), a
 * line split across chunks is copied at most twice (2), and the two native searches (closing quote,
 * next backslash) each pass over any byte, original or copied, at most once (2 x 3).
 */
const WORK_PER_BYTE = 9

function parse(body: Buffer, chunkSizes: number[]): PromTextStats {
  let samples = 0
  const parser = createPromTextParser({ onSample: () => samples++ })
  feed(parser, body, chunkSizes)
  const stats = parser.end()
  expect(stats.samples).toBe(samples)
  return stats
}

function read(body: Buffer, chunkSizes: number[], validateDropped: boolean): OrgMetricsReading {
  const reader = createOrgMetricsReader({ validateDropped })
  feed(reader, body, chunkSizes)
  return reader.end()
}

function feed(sink: { write(chunk: Buffer): void }, body: Buffer, chunkSizes: number[]): void {
  let offset = 0
  for (let index = 0; offset < body.length; index++) {
    const size = chunkSizes.length === 0 ? body.length : chunkSizes[index % chunkSizes.length]!
    sink.write(Buffer.from(body.subarray(offset, offset + size)))
    offset += size
  }
}

function countLines(body: Buffer): number {
  let lines = 0
  for (const byte of body) if (byte === 0x0a) lines++
  return body.length > 0 && body[body.length - 1] !== 0x0a ? lines + 1 : lines
}

/** What must hold for any input and any chunking. */
function checkInvariants(body: Buffer, chunkSizes: number[]): void {
  const stats = parse(body, chunkSizes)
  expect(stats.bytes).toBe(body.length)
  expect(stats.lines).toBe(countLines(body))
  // Every line is a sample, blank, a comment, or counted invalid.
  expect(stats.samples + stats.blankLines + stats.commentLines + stats.invalidLines).toBe(stats.lines)
  expect(stats.firstInvalid === null).toBe(stats.invalidLines === 0)
  expect(stats.work).toBeLessThanOrEqual(WORK_PER_BYTE * body.length)
  // Chunking changes nothing.
  const whole = parse(body, [])
  expect({ ...stats, work: 0 }).toEqual({ ...whole, work: 0 })
  // Checking every line, the reader uses the same scanner: the same lines are invalid.
  const checked = read(body, chunkSizes, true)
  expect(checked.lines).toBe(stats.lines)
  expect(checked.invalidLines).toBe(stats.invalidLines)
  expect(checked.firstInvalid).toEqual(stats.firstInvalid)
  // By default it reads fewer lines, but keeps exactly the same, whatever the chunking.
  const lean = read(body, chunkSizes, false)
  expect(lean.lines).toBe(stats.lines)
  expect(lean.invalidLines).toBeLessThanOrEqual(stats.invalidLines)
  expect({ ...lean, invalidLines: 0, firstInvalid: null }).toEqual({
    ...checked,
    invalidLines: 0,
    firstInvalid: null
  })
  expect(read(body, [], false)).toEqual(lean)
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 8 })

/** Pieces that make the parser take every branch: syntax characters, numbers, names, odd bytes. */
const token = fc.constantFrom(
  'a',
  'up',
  'crate_node',
  'container_cpu_usage_seconds_total',
  'pod_name',
  'x_y:z',
  '{',
  '}',
  '=',
  '"',
  '\\',
  '\\"',
  '\\n',
  '\\\\',
  ',',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '#',
  '# HELP a ',
  '# TYPE a gauge',
  '0',
  '1.5',
  '-1',
  '5.4411008E7',
  'e',
  '+',
  'NaN',
  '+Inf',
  '-Inf',
  '1778668448190',
  'é',
  '\u{1F600}',
  '\u0000',
  '\uFFFD'
)

describe('prom-text fuzzing', () => {
  it('holds its invariants on random token soup', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 200 }), chunkSizes, (tokens, sizes) => {
        checkInvariants(Buffer.from(tokens.join(''), 'utf8'), sizes)
      }),
      { numRuns: 400 }
    )
  })

  it('holds its invariants on random strings and random bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), chunkSizes, (text, sizes) => {
        checkInvariants(Buffer.from(text, 'utf8'), sizes)
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), chunkSizes, (bytes, sizes) => {
        checkInvariants(Buffer.from(bytes), sizes)
      }),
      { numRuns: 300 }
    )
  })

  it('reads rows of kept families the same in the API form and out of it', () => {
    const pod = fc.constantFrom(
      'crate-data-hot-5e52d9b3-3b92-4568-a3a4-620ed9d1d445-0',
      'crate-data-hot-5e52d9b3-3b92-4568-a3a4-620ed9d1d445-1',
      'backup-metrics-5e52d9b3-3b92-4568-a3a4-620ed9d1d445-1'
    )
    const label = fc.oneof(
      pod.map((value) => `pod_name="${value}"`),
      pod.map((value) => `pod="${value}"`),
      fc.constantFrom(
        'name="shard_info"',
        'name="shard_stats"',
        'property="size"',
        'container="crate"',
        'pool="G1 Old Gen"',
        'area="heap"',
        'query="Select"',
        'query="Sel\\"ect"',
        'cluster_id="5e52d9b3-3b92-4568-a3a4-620ed9d1d445"',
        'table="a}b,c=\\"',
        'x="y"'
      )
    )
    const name = fc.constantFrom(
      'crate_node',
      'container_cpu_usage_seconds_total',
      'jvm_memory_pool_bytes_used',
      'jvm_memory_bytes_max',
      'crate_query_total_count',
      'cloud_clusters_health'
    )
    const separator = fc.constantFrom(',', ',', ',', ', ', ' ', '')
    const row = fc
      .tuple(
        name,
        fc.array(fc.tuple(label, separator), { maxLength: 6 }),
        fc.constantFrom(' 1.5 1778668455079', ' 2', ' x', '  3 4 ')
      )
      .map(
        ([metric, labels, tail]) =>
          `${metric}{${labels.map(([l, sep], k) => (k === 0 ? l : sep + l)).join('')}}${tail}`
      )
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), chunkSizes, (rows, sizes) => {
        checkInvariants(Buffer.from(`${rows.join('\n')}\n`), sizes)
      }),
      { numRuns: 300 }
    )
  })

  it('stays linear on inputs made to defeat its native searches', () => {
    const valid = 'a{b="x",c="y"} 1\n'.repeat(3000)
    const unterminated = 'a{b="x\n'.repeat(3000)
    const noQuotesAfter = `a{b="x\n${'b 1\n'.repeat(5000)}`
    for (const text of [
      `${valid}\\`,
      `${valid}a{b="\\\\"} 1\n`,
      unterminated,
      noQuotesAfter,
      `${unterminated}\\`
    ]) {
      for (const sizes of [[], [1], [7], [4096]]) checkInvariants(Buffer.from(text), sizes)
    }
  })
})

const capturePath = sharedFile('org-metrics-capture.prom')

describe.skipIf(capturePath === undefined)('prom-text fuzzing on mutations of the real capture', () => {
  let capture: Buffer
  let lines: string[]
  beforeAll(() => {
    capture = readFileSync(capturePath!)
    lines = capture.toString('utf8').split('\n')
  })

  const insertions = fc.constantFrom(
    '"',
    '\\',
    '\n',
    '\r',
    '{',
    '}',
    '=',
    ',',
    ' ',
    '#',
    'é',
    '\u{1F600}',
    '\u0000',
    'e'
  )
  type Mutation =
    | { kind: 'flip'; at: number; byte: number }
    | { kind: 'delete'; at: number; length: number }
    | { kind: 'insert'; at: number; text: string }
    | { kind: 'duplicate'; line: number }
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 40 })
    }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: insertions }),
    fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() })
  )

  function mutate(mutations: Mutation[]): Buffer {
    let body = Buffer.from(capture)
    for (const m of mutations) {
      if (m.kind === 'duplicate') {
        const line = lines[m.line % lines.length]!
        body = Buffer.concat([body, Buffer.from(`${line}\n${line}\n`)])
        continue
      }
      const at = m.at % (body.length + 1)
      if (m.kind === 'flip' && at < body.length) body[at] = m.byte
      else if (m.kind === 'delete') body = Buffer.concat([body.subarray(0, at), body.subarray(at + m.length)])
      else if (m.kind === 'insert')
        body = Buffer.concat([body.subarray(0, at), Buffer.from(m.text), body.subarray(at)])
    }
    return body
  }

  it('holds its invariants on byte flips, deletions, insertions and duplicated lines', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 12 }), chunkSizes, (mutations, sizes) => {
        const body = mutate(mutations)
        checkInvariants(body, sizes.length === 0 ? [] : sizes.map((size) => size * 50))
      }),
      { numRuns: 60 }
    )
  })

  it('loses at most the lines a mutation touched', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) => {
        const stats = parse(mutate(mutations), [])
        // Each mutation touches at most two lines (a deletion may join two, an inserted quote may open a value).
        expect(stats.invalidLines).toBeLessThanOrEqual(2 * mutations.length)
        expect(stats.samples).toBeGreaterThanOrEqual(1103 - 2 * mutations.length)
      }),
      { numRuns: 60 }
    )
  })
})
