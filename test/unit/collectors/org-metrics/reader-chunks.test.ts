import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createOrgMetricsReader } from '../../../../src/collectors/org-metrics/reader.js'
import type { OrgMetricsReading } from '../../../../src/collectors/org-metrics/types.js'
import { REPO_ROOT, sharedFile } from '../../../helpers/environment.js'

/** The reading as one string: fast to compare thousands of times, and a readable diff on failure. */
function fingerprint(reading: OrgMetricsReading): string {
  return JSON.stringify(reading, (_key, value: unknown) => (value instanceof Map ? [...value] : value), 1)
}

function readInChunks(body: Buffer, sizes: (index: number) => number): string {
  const reader = createOrgMetricsReader()
  let offset = 0
  for (let index = 0; offset < body.length; index++) {
    const size = Math.max(1, sizes(index))
    reader.write(body.subarray(offset, offset + size))
    offset += size
  }
  return fingerprint(reader.end())
}

/** A body in chunks of the given sizes, each chunk a copy (as a network stream delivers them). */
function readInCutChunks(body: Buffer, cuts: number[]): string {
  const reader = createOrgMetricsReader()
  let from = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reader.write(Buffer.from(body.subarray(from, cut)))
    from = cut
  }
  reader.write(Buffer.from(body.subarray(from)))
  return fingerprint(reader.end())
}

const capture = sharedFile('org-metrics-capture.prom')

describe.skipIf(capture === undefined)('org metrics reader: chunk boundaries on the real capture', () => {
  let body: Buffer
  let whole: string
  beforeAll(() => {
    body = readFileSync(capture!)
    whole = readInChunks(body, () => body.length)
  })

  it('reads the expected storage in one chunk', () => {
    expect(whole).toContain('"storageUsedBytes": 247118391')
    expect(whole).toContain('"storageUsedBytes": 383545652')
  })

  it('gives the identical reading for every chunk size from 1 to 64 bytes', () => {
    for (let size = 1; size <= 64; size++) {
      expect(
        readInChunks(body, () => size),
        `chunks of ${size} bytes`
      ).toBe(whole)
    }
  })

  it('gives the identical reading for chunk sizes up to 8 KiB', () => {
    for (let size = 65; size <= 8192; size += 71) {
      expect(
        readInChunks(body, () => size),
        `chunks of ${size} bytes`
      ).toBe(whole)
    }
    for (const size of [511, 512, 1023, 1024, 4095, 4096, 8192, 16384, 65536]) {
      expect(
        readInChunks(body, () => size),
        `chunks of ${size} bytes`
      ).toBe(whole)
    }
  })

  it('gives the identical reading for random chunk boundaries', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: body.length }), { maxLength: 400 }), (cuts) => {
        expect(readInCutChunks(body, cuts)).toBe(whole)
      }),
      { numRuns: 100 }
    )
  })

  it('gives the identical reading for random chunk sizes of 1 to 4096 bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 64 }), (sizes) => {
        expect(readInChunks(body, (index) => sizes[index % sizes.length]!)).toBe(whole)
      }),
      { numRuns: 100 }
    )
  })
})

describe('org metrics reader: chunk boundaries on own fixtures', () => {
  for (const name of ['two-clusters.prom', 'garbage.prom']) {
    const lf = readFileSync(resolve(REPO_ROOT, 'test/fixtures/org-metrics', name))
    const crlf = Buffer.from(lf.toString('utf8').replaceAll('\n', '\r\n'))

    it(`gives the identical reading of ${name} for every two-chunk split`, () => {
      const whole = readInCutChunks(lf, [])
      for (let cut = 0; cut <= lf.length; cut++) expect(readInCutChunks(lf, [cut])).toBe(whole)
    })

    it(`gives the identical reading of ${name} with CRLF for random splits`, () => {
      const whole = readInCutChunks(crlf, [])
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 0, max: crlf.length }), { maxLength: 20 }), (cuts) => {
          expect(readInCutChunks(crlf, cuts)).toBe(whole)
        }),
        { numRuns: 300 }
      )
    })
  }
})
