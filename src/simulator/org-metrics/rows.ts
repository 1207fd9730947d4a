/** Where family functions put their lines; a growing string is cheaper than an array joined later. */
export interface Rows {
  push(line: string): void
}

export class TextRows implements Rows {
  text = ''

  push(line: string): void {
    this.text += line + '\n'
  }

  take(): string {
    const text = this.text
    this.text = ''
    return text
  }
}
