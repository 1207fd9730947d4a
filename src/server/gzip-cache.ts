import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib'
import type { ExpositionBody } from '../metrics/body.js'

/**
 * The start of a gzip member: the gzip header and the body compressed up to a flush point, not
 * finished, so that more data can be appended in new deflate blocks; with the CRC-32 and length of the
 * uncompressed body that the trailer needs.
 */
export interface GzipPrefix {
  readonly head: Buffer
  readonly crc: number
  readonly length: number
}

export type Compress = (body: ExpositionBody) => Promise<GzipPrefix>

export interface GzipCache {
  /** The compressed start of the body, made once per distinct body and shared by concurrent callers. */
  get(body: ExpositionBody): Promise<GzipPrefix>
  /** A piece compressed once per distinct Buffer (the self metrics' stable part). */
  piece(plain: Buffer): DeflatedPiece
}

// Magic, deflate, no flags, no modification time, no extra flags, OS "Unix" (as zlib's gzip writes it).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03])

/**
 * zlib's crc32 answers its initial value, 0, when handed no data pointer, and an empty Buffer may have
 * none (one over an empty ArrayBuffer has none, on every Node.js version measured: 20, 22, 24): the
 * running CRC would silently restart. Nothing to add leaves the CRC as it is.
 */
function crcOf(data: Buffer, crc: number): number {
  return data.length === 0 ? crc : crc32(data, crc)
}

/**
 * Compresses the parts of a body as one raw deflate stream, without joining them first, and ends it
 * with a sync flush instead of a final block: the output stops on a byte boundary and any deflate
 * blocks may follow.
 */
export function gzipPrefix(body: ExpositionBody): Promise<GzipPrefix> {
  return new Promise((resolve, reject) => {
    const deflate = createDeflateRaw({ finishFlush: constants.Z_SYNC_FLUSH })
    const out: Buffer[] = [GZIP_HEADER]
    let crc = 0
    deflate.on('data', (chunk: Buffer) => out.push(chunk))
    deflate.once('error', reject)
    deflate.once('end', () => resolve({ head: Buffer.concat(out), crc, length: body.byteLength }))
    for (const part of body.parts) {
      crc = crcOf(part, crc)
      deflate.write(part)
    }
    deflate.end()
  })
}

/**
 * A piece of a body compressed on its own (a new deflate stream needs nothing of the one before it,
 * since its back-references stay within itself) and, like a prefix, ended with a sync flush, so that
 * more blocks may follow. Keeps the CRC-32 it last continued, since the same piece usually follows the
 * same prefix scrape after scrape.
 */
export class DeflatedPiece {
  readonly deflated: Buffer
  #after = { from: NaN, to: 0 }

  constructor(readonly plain: Buffer) {
    this.deflated = deflateRawSync(plain, { finishFlush: constants.Z_SYNC_FLUSH })
  }

  /** The CRC-32 of what came before this piece continued over it. */
  crcAfter(crc: number): number {
    if (this.#after.from !== crc) this.#after = { from: crc, to: crcOf(this.plain, crc) }
    return this.#after.to
  }
}

const STORED_MAX = 0xffff

/**
 * The end of a gzip member after a prefix and any compressed pieces: `last` in stored (uncompressed)
 * deflate blocks, the final one marked so, then the CRC-32 and length of the whole body; one Buffer.
 * Storing costs a copy where compressing would cost a new zlib stream (about 0.1 ms and its garbage),
 * and `last` is what changes with every scrape: a few hundred bytes.
 */
function gzipEnd(prefix: GzipPrefix, pieces: readonly DeflatedPiece[], last: Buffer): Buffer {
  let crc = prefix.crc
  let length = prefix.length
  for (const piece of pieces) {
    crc = piece.crcAfter(crc)
    length += piece.plain.length
  }
  crc = crcOf(last, crc)
  length += last.length
  const blocks = Math.max(1, Math.ceil(last.length / STORED_MAX))
  const out = Buffer.allocUnsafe(blocks * 5 + last.length + 8)
  let at = 0
  for (let block = 0; block < blocks; block++) {
    const data = last.subarray(block * STORED_MAX, (block + 1) * STORED_MAX)
    // The previous block ended on a byte boundary (sync flush or stored block), so the 3-bit header
    // (BFINAL, BTYPE 00) and its padding make one byte, followed by LEN and its one's complement.
    out[at] = block === blocks - 1 ? 1 : 0
    out.writeUInt16LE(data.length, at + 1)
    out.writeUInt16LE(~data.length & 0xffff, at + 3)
    at += 5 + data.copy(out, at + 5)
  }
  out.writeUInt32LE(crc >>> 0, at)
  out.writeUInt32LE(length % 2 ** 32, at + 4)
  return out
}

/** All the Buffers of a gzip member: prefix, pieces, end. */
export function gzipMember(prefix: GzipPrefix, pieces: readonly DeflatedPiece[], last: Buffer): Buffer[] {
  return [prefix.head, ...pieces.map((piece) => piece.deflated), gzipEnd(prefix, pieces, last)]
}

/**
 * Every rendering is a new pair of bodies, so keying on the body compresses each format of each
 * generation at most once, and lets old generations be garbage collected with their bodies.
 */
export function createGzipCache(compress: Compress = gzipPrefix): GzipCache {
  const cache = new WeakMap<ExpositionBody, Promise<GzipPrefix>>()
  const pieces = new WeakMap<Buffer, DeflatedPiece>()
  return {
    piece(plain) {
      let piece = pieces.get(plain)
      if (piece === undefined) {
        piece = new DeflatedPiece(plain)
        pieces.set(plain, piece)
      }
      return piece
    },
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
