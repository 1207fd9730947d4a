import { createGzip } from 'node:zlib'
import type { ExpositionBody } from '../metrics/body.js'

export type Compress = (body: ExpositionBody) => Promise<Buffer>

export interface GzipCache {
  /** The gzipped body, compressed once per distinct body and shared by concurrent callers. */
  get(body: ExpositionBody): Promise<Buffer>
}

/** Gzips the parts of a body as one stream, without joining them first. */
export function gzipBody(body: ExpositionBody): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip()
    const out: Buffer[] = []
    gzip.on('data', (chunk: Buffer) => out.push(chunk))
    gzip.once('error', reject)
    gzip.once('end', () => resolve(Buffer.concat(out)))
    for (const part of body.parts) gzip.write(part)
    gzip.end()
  })
}

/**
 * Every rendering is a new pair of bodies, so keying on the body compresses each format of each
 * generation at most once, and lets old generations be garbage collected with their bodies.
 */
export function createGzipCache(compress: Compress = gzipBody): GzipCache {
  const cache = new WeakMap<ExpositionBody, Promise<Buffer>>()
  return {
    get(body) {
      let entry = cache.get(body)
      if (entry === undefined) {
        entry = compress(body)
        // a failed compression is retried by the next scrape instead of being cached
        void entry.catch(() => cache.delete(body))
        cache.set(body, entry)
      }
      return entry
    }
  }
}
