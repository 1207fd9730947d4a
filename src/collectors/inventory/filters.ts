import type { NameFilter } from '../../config/types.js'

export interface CompiledFilter {
  /** True when the object with this name and id passes include and exclude. */
  matches(name: string, id: string): boolean
}

/** Patterns are anchored regular expressions, matched against the name and the id. */
export function compileFilter(filter: NameFilter): CompiledFilter {
  const include = filter.include.map((pattern) => new RegExp(`^(?:${pattern})$`))
  const exclude = filter.exclude.map((pattern) => new RegExp(`^(?:${pattern})$`))
  const hit = (patterns: RegExp[], name: string, id: string): boolean =>
    patterns.some((pattern) => pattern.test(name) || pattern.test(id))
  return {
    matches(name, id) {
      if (include.length > 0 && !hit(include, name, id)) return false
      return !hit(exclude, name, id)
    }
  }
}

export const MATCH_ALL: CompiledFilter = { matches: () => true }
