import { gzip as gzipCallback } from 'node:zlib'
import { promisify } from 'node:util'

const gzipAsync = promisify(gzipCallback)

export type Compress = (body: Buffer) => Promise<Buffer>

export interface GzipCache {
  /** The gzipped body, compressed once per distinct Buffer and shared by concurrent callers. */
  get(body: Buffer): Promise<Buffer>
}

/**
 * Every rendering is a new pair of Buffers, so keying on the Buffer compresses each format of each
 * generation at most once, and lets old generations be garbage collected with their Buffers.
 */
export function createGzipCache(compress: Compress = (body) => gzipAsync(body)): GzipCache {
  const cache = new WeakMap<Buffer, Promise<Buffer>>()
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
