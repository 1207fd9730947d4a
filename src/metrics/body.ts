/**
 * One format of a rendering, as the list of Buffers it was rendered into. The server writes the parts in
 * order and never joins them: a joined copy would double the memory of every generation that is served
 * (15.5 MB of text per format for 1,000 clusters).
 */
export class ExpositionBody {
  readonly parts: readonly Buffer[]
  readonly byteLength: number

  constructor(parts: readonly Buffer[]) {
    this.parts = parts
    let length = 0
    for (const part of parts) length += part.length
    this.byteLength = length
  }

  static of(text: string): ExpositionBody {
    return new ExpositionBody(text === '' ? [] : [Buffer.from(text, 'utf8')])
  }

  /** The parts joined into a new Buffer, for tools and tests; the server does not call it. */
  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.byteLength)
  }

  toString(encoding: BufferEncoding = 'utf8'): string {
    return this.toBuffer().toString(encoding)
  }
}
