import { spawnSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ExpositionBody } from '../../../src/metrics/body.js'
import { createGzipCache, DeflatedPiece, gzipMember, gzipPrefix } from '../../../src/server/gzip-cache.js'
import { acceptsGzip, negotiateFormat } from '../../../src/server/negotiation.js'

describe('negotiateFormat', () => {
  it.each([
    ['', 'text'],
    ['text/*', 'text'],
    ['application/openmetrics-text;version=0.0.1', 'openmetrics'],
    ['APPLICATION/OpenMetrics-Text', 'openmetrics'],
    ['application/openmetrics-text;q=0.4, */*;q=0.5', 'text'],
    ['application/openmetrics-text;q=0.5, */*;q=0.5', 'openmetrics'],
    ['application/openmetrics-text;q=abc', 'text']
  ])('%j -> %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format)
  })
})

describe('acceptsGzip', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['identity', false],
    ['gzip', true],
    ['GZIP;q=0.1', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['*', true],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['br, deflate', false]
  ])('%j -> %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected)
  })
})

describe('createGzipCache', () => {
  it('compresses each body once, concurrent callers included, and retries after a failure', async () => {
    let calls = 0
    let fail = true
    const cache = createGzipCache(async (body) => {
      calls += 1
      await Promise.resolve()
      if (fail) throw new Error('zlib failed')
      return gzipPrefix(body)
    })
    const body = ExpositionBody.of('up 1\n')
    await expect(cache.get(body)).rejects.toThrow('zlib failed')
    fail = false
    const [a, b] = await Promise.all([cache.get(body), cache.get(body)])
    expect(a).toBe(b)
    expect(gunzipSync(Buffer.concat(gzipMember(a, [], Buffer.alloc(0)))).toString()).toBe('up 1\n')
    await cache.get(body)
    expect(calls).toBe(2)
    await cache.get(ExpositionBody.of('up 1\n')) // an equal but new rendering is compressed again
    expect(calls).toBe(3)
  })
})

describe('gzipPrefix and gzipMember', () => {
  const whole = (body: ExpositionBody, tail: string): Promise<Buffer> =>
    gzipPrefix(body).then((prefix) => Buffer.concat(gzipMember(prefix, [], Buffer.from(tail))))

  it('compress the parts of a body as one stream, in order, then the tail, as one gzip member', async () => {
    const parts = ['# TYPE a gauge\n', 'a 1\n', '', 'b{x="☃"} 2\n'].map((text) => Buffer.from(text))
    const compressed = await whole(new ExpositionBody(parts), '# TYPE c counter\nc_total 3\n# EOF\n')
    // gunzipSync checks the CRC-32 and the length in the trailer.
    expect(gunzipSync(compressed).toString('utf8')).toBe(
      '# TYPE a gauge\na 1\nb{x="☃"} 2\n# TYPE c counter\nc_total 3\n# EOF\n'
    )
    expect(gunzipSync(await whole(new ExpositionBody([]), '')).length).toBe(0)
  })

  it('keep the running CRC-32 across empty Buffers, even those without a data pointer', async () => {
    // An empty Buffer over an empty ArrayBuffer has no data pointer; zlib's crc32 answers 0 for it.
    const empty = (): Buffer => Buffer.from(new ArrayBuffer(0))
    const body = new ExpositionBody([Buffer.from('a 1\n'), empty(), Buffer.from('b 2\n'), empty()])
    const prefix = await gzipPrefix(body)
    const compressed = Buffer.concat(
      gzipMember(
        prefix,
        [empty(), empty()].map((b) => new DeflatedPiece(b)),
        empty()
      )
    )
    expect(gunzipSync(compressed).toString('utf8')).toBe('a 1\nb 2\n')
  })

  it('put compressed pieces between prefix and end, and a long end in several stored blocks', async () => {
    const prefix = await gzipPrefix(ExpositionBody.of('# TYPE a gauge\na 1\n'))
    const pieces = ['b 2\n', '', 'c 3\n'.repeat(2000)].map((text) => new DeflatedPiece(Buffer.from(text)))
    // Longer than one stored block (65,535 bytes), and not a multiple of it.
    const last = Buffer.from('d_total 4\n'.repeat(14_000))
    const member = Buffer.concat(gzipMember(prefix, pieces, last))
    expect(gunzipSync(member).toString('utf8')).toBe(
      `# TYPE a gauge\na 1\nb 2\n${'c 3\n'.repeat(2000)}${'d_total 4\n'.repeat(14_000)}`
    )
    expect(pieces[2]!.deflated.length).toBeLessThan(pieces[2]!.plain.length / 10)
  })

  it('continue the CRC-32 right when one piece follows different prefixes in turn', async () => {
    const piece = new DeflatedPiece(Buffer.from('self 1\n'))
    const first = await gzipPrefix(ExpositionBody.of('x 1\n'))
    const second = await gzipPrefix(ExpositionBody.of('y 2\n'))
    for (const prefix of [first, second, first, second]) {
      const text = gunzipSync(Buffer.concat(gzipMember(prefix, [piece], Buffer.from('n 1\n')))).toString()
      expect(text).toBe(`${prefix === first ? 'x 1' : 'y 2'}\nself 1\nn 1\n`)
    }
  })

  it('make one member that a strict single-member reader accepts: the gzip tool', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `series_${i % 97}{n="${i}"} ${i * 1.5}\n`).join('')
    const compressed = await whole(new ExpositionBody([Buffer.from(text)]), 'self_total 1\n')
    const result = spawnSync('gzip', ['-d', '-c'], { input: compressed })
    if (result.error !== undefined) return // no gzip tool on this machine
    expect(result.status).toBe(0)
    expect(result.stdout.toString('utf8')).toBe(`${text}self_total 1\n`)
    // One member: the gzip magic appears once, at the start.
    expect(compressed.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 1)).toBe(-1)
  })
})
