import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ExpositionBody } from '../../../src/metrics/body.js'
import { createGzipCache, gzipBody } from '../../../src/server/gzip-cache.js'
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
      const { gzipSync } = await import('node:zlib')
      return gzipSync(body.toBuffer())
    })
    const body = ExpositionBody.of('up 1\n')
    await expect(cache.get(body)).rejects.toThrow('zlib failed')
    fail = false
    const [a, b] = await Promise.all([cache.get(body), cache.get(body)])
    expect(a).toBe(b)
    expect(gunzipSync(a).toString()).toBe('up 1\n')
    await cache.get(body)
    expect(calls).toBe(2)
    await cache.get(ExpositionBody.of('up 1\n')) // an equal but new rendering is compressed again
    expect(calls).toBe(3)
  })
})

describe('gzipBody', () => {
  it('compresses the parts of a body as one stream, in order', async () => {
    const parts = ['# TYPE a gauge\n', 'a 1\n', '', 'b{x="☃"} 2\n'].map((text) => Buffer.from(text))
    const compressed = await gzipBody(new ExpositionBody(parts))
    expect(gunzipSync(compressed).toString('utf8')).toBe('# TYPE a gauge\na 1\nb{x="☃"} 2\n')
    expect(gunzipSync(await gzipBody(new ExpositionBody([]))).length).toBe(0)
  })
})
