/**
 * .dockerignore matching as the Docker builder applies it: patterns relative to the context root,
 * `*` and `?` within one path segment, `**` across segments, `!` re-includes, the last matching
 * pattern wins, and a pattern that matches a directory also covers everything below it.
 */

interface Rule {
  readonly negated: boolean
  readonly regex: RegExp
}

export interface IgnoreMatcher {
  /** `relativePath` uses `/` and has no leading `./`. */
  ignored(relativePath: string): boolean
}

export function parseDockerignore(text: string): IgnoreMatcher {
  const rules: Rule[] = []
  for (const raw of text.split('\n')) {
    let pattern = raw.trim()
    if (pattern === '' || pattern.startsWith('#')) continue
    const negated = pattern.startsWith('!')
    if (negated) pattern = pattern.slice(1).trim()
    pattern = pattern.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '')
    if (pattern === '') continue
    rules.push({ negated, regex: new RegExp(`^${toRegex(pattern)}$`) })
  }
  return {
    ignored(relativePath: string): boolean {
      const segments = relativePath.split('/')
      let ignored = false
      for (const rule of rules) {
        // A rule matches the path itself or one of its parent directories.
        for (let end = segments.length; end >= 1; end--) {
          if (rule.regex.test(segments.slice(0, end).join('/'))) {
            ignored = !rule.negated
            break
          }
        }
      }
      return ignored
    }
  }
}

function toRegex(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? ''
    if (char === '*' && pattern[i + 1] === '*') {
      i++
      if (pattern[i + 1] === '/') {
        i++
        out += '(?:.*/)?'
      } else {
        out += '.*'
      }
    } else if (char === '*') {
      out += '[^/]*'
    } else if (char === '?') {
      out += '[^/]'
    } else {
      out += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
    }
  }
  return out
}
