import { describe, expect, it } from 'vitest'
import { BlockWriter } from '../../../src/metrics/block-writer.js'
import { ExpositionBody } from '../../../src/metrics/body.js'

const joined = (parts: readonly Buffer[]): string => Buffer.concat(parts).toString('utf8')

describe('BlockWriter', () => {
  it('keeps every line whole and in order across chunks, multi-byte characters included', () => {
    const writer = new BlockWriter()
    const lines = Array.from({ length: 20_000 }, (_, k) => `m{a="${k % 3 === 0 ? '☃集ü' : 'x'}${k}"} ${k}\n`)
    for (const line of lines) writer.write(line)
    const parts = writer.finish()
    expect(parts.length).toBeGreaterThan(1)
    expect(joined(parts)).toBe(lines.join(''))
    // each part ends at a line's end: no line is split between two parts
    for (const part of parts) expect(part.at(-1)).toBe(0x0a)
  })

  it('writes a line longer than its scratch area as a part of its own', () => {
    const writer = new BlockWriter()
    const long = `m{a="${'€'.repeat(300_000)}"} 1\n`
    writer.write('a 1\n')
    writer.write(long)
    writer.write('b 2\n')
    expect(joined(writer.finish())).toBe(`a 1\n${long}b 2\n`)
  })

  it('gives exact-size parts that later writers do not overwrite, even when two write at once', () => {
    const first = new BlockWriter()
    const second = new BlockWriter()
    first.write('first 1\n')
    second.write('second 2\n')
    const a = first.finish()
    const b = second.finish()
    const third = new BlockWriter()
    third.write('third 3\n')
    expect(joined(third.finish())).toBe('third 3\n')
    expect(joined(a)).toBe('first 1\n')
    expect(joined(b)).toBe('second 2\n')
    expect(a[0]?.length).toBe('first 1\n'.length)
    // A small copy lives in Node's shared pool (Buffer.poolSize: 8 KiB up to Node 22, 64 KiB from Node 24),
    // never in the 256 KiB scratch area that the next writer reuses.
    expect(a[0]?.buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize)
  })

  it('is empty when nothing was written, and refuses writes after finish', () => {
    const writer = new BlockWriter()
    expect(writer.finish()).toEqual([])
    expect(() => writer.write('x 1\n')).toThrow('after finish')
  })
})

describe('ExpositionBody', () => {
  it('counts the bytes of its parts and joins them only when asked', () => {
    const body = new ExpositionBody([Buffer.from('a 1\n'), Buffer.from('ü 2\n')])
    expect(body.byteLength).toBe(9)
    expect(body.toString()).toBe('a 1\nü 2\n')
    expect(ExpositionBody.of('').parts).toEqual([])
  })
})
