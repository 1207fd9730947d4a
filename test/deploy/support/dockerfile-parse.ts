/**
 * A Dockerfile reader for the subset that this repository's Dockerfile uses. It understands enough of
 * the syntax (line continuations, comments, flags, JSON and shell forms, variable substitution) to
 * replay the build without a Docker engine; anything else is refused by name so a new instruction in
 * the Dockerfile makes the replay fail loudly instead of being skipped.
 */

export interface Instruction {
  readonly keyword: string
  /** Leading `--name=value` options (COPY --from, HEALTHCHECK --interval, ...). */
  readonly flags: ReadonlyMap<string, string>
  /** The arguments after the flags, as written (variables not yet substituted). */
  readonly rest: string
  readonly line: number
}

export interface Stage {
  readonly index: number
  readonly name: string | undefined
  /** The FROM image, as written. */
  readonly from: string
  readonly instructions: readonly Instruction[]
}

export interface ParsedDockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  readonly globalArgs: ReadonlyMap<string, string | undefined>
  readonly stages: readonly Stage[]
}

const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK'])

export function parseDockerfile(text: string): ParsedDockerfile {
  const globalArgs = new Map<string, string | undefined>()
  const stages: { index: number; name: string | undefined; from: string; instructions: Instruction[] }[] = []
  for (const { text: logical, line } of logicalLines(text)) {
    const match = /^(\S+)\s*(.*)$/s.exec(logical)
    if (match === null) continue
    const keyword = (match[1] ?? '').toUpperCase()
    let rest = (match[2] ?? '').trim()
    const flags = new Map<string, string>()
    if (FLAGGED.has(keyword)) {
      for (
        let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
        flag !== null;
        flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)
      ) {
        flags.set(flag[1] ?? '', flag[2] ?? '')
        rest = rest.slice(flag[0].length)
      }
    }
    const instruction: Instruction = { keyword, flags, rest, line }
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest)
      if (from === null) throw new Error(`line ${line}: cannot read FROM ${rest}`)
      stages.push({ index: stages.length, name: from[2], from: from[1] ?? '', instructions: [] })
      continue
    }
    const stage = stages.at(-1)
    if (stage === undefined) {
      if (keyword !== 'ARG') throw new Error(`line ${line}: ${keyword} before the first FROM`)
      const [name, value] = splitAssignment(rest)
      globalArgs.set(name, value)
      continue
    }
    stage.instructions.push(instruction)
  }
  if (stages.length === 0) throw new Error('the Dockerfile has no FROM')
  return { globalArgs, stages }
}

function* logicalLines(text: string): Generator<{ text: string; line: number }> {
  const lines = text.split('\n')
  let buffer = ''
  let start = 0
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? ''
    const trimmed = raw.trim()
    // Comment lines are dropped, also in the middle of a continued instruction, as Docker does.
    if (trimmed.startsWith('#') || (trimmed === '' && buffer === '')) continue
    if (buffer === '') start = i + 1
    if (trimmed.endsWith('\\')) {
      buffer += trimmed.slice(0, -1) + ' '
      continue
    }
    buffer += trimmed
    if (buffer.trim() !== '') yield { text: buffer.trim(), line: start }
    buffer = ''
  }
  if (buffer.trim() !== '') yield { text: buffer.trim(), line: start }
}

function splitAssignment(word: string): [string, string | undefined] {
  const eq = word.indexOf('=')
  return eq === -1 ? [word.trim(), undefined] : [word.slice(0, eq).trim(), unquote(word.slice(eq + 1).trim())]
}

function unquote(text: string): string {
  return words(text, new Map()).join(' ')
}

/** The JSON array of an exec-form instruction, or undefined for the shell form. */
export function execForm(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined
  const parsed: unknown = JSON.parse(rest)
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`not a JSON array of strings: ${rest}`)
  }
  return parsed
}

/** `${NAME}`, `${NAME:-default}` and `$NAME`, as Docker expands them in most instructions. */
export function substitute(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g,
    (_all, braced?: string, fallback?: string, bare?: string) => {
      const name = braced ?? bare ?? ''
      const value = variables.get(name)
      return value === undefined || value === '' ? (fallback ?? '') : value
    }
  )
}

/**
 * Splits shell-like words: double quotes (with substitution), single quotes (literal), backslash
 * escapes. Used for ENV, LABEL, ARG and COPY arguments.
 */
export function words(text: string, variables: ReadonlyMap<string, string>): string[] {
  const result: string[] = []
  let current = ''
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? ''
    if (/\s/.test(char)) {
      if (inWord) result.push(current)
      current = ''
      inWord = false
      continue
    }
    inWord = true
    if (char === '\\' && i + 1 < text.length) {
      current += text[++i] ?? ''
    } else if (char === "'") {
      const end = text.indexOf("'", i + 1)
      if (end === -1) throw new Error(`unterminated quote in ${text}`)
      current += text.slice(i + 1, end)
      i = end
    } else if (char === '"') {
      let end = i + 1
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1
      if (end >= text.length) throw new Error(`unterminated quote in ${text}`)
      current += substitute(text.slice(i + 1, end).replace(/\\(.)/g, '$1'), variables)
      i = end
    } else if (char === '$') {
      const variable = /^\$(\{[^}]*\}|\w+)/.exec(text.slice(i))
      const token = variable?.[0] ?? '$'
      current += substitute(token, variables)
      i += token.length - 1
    } else {
      current += char
    }
  }
  if (inWord) result.push(current)
  return result
}

/** `KEY=value KEY2="v 2"` or the legacy `KEY value` form of ENV and LABEL. */
export function assignments(rest: string, variables: ReadonlyMap<string, string>): [string, string][] {
  const first = /^(\S+)/.exec(rest)?.[1] ?? ''
  if (!first.includes('=')) {
    const value = rest.slice(first.length).trim()
    return [[first, words(value, variables).join(' ')]]
  }
  return words(rest, variables).map((word) => {
    const eq = word.indexOf('=')
    if (eq === -1) throw new Error(`expected KEY=value, got ${word}`)
    return [word.slice(0, eq), word.slice(eq + 1)]
  })
}
