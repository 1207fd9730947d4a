/**
 * A few hand-written decoders for untrusted JSON. Each takes the value and its JSON path and returns the
 * typed value or throws SchemaError naming the path ("[3].hardware_specs.cpus_per_node"). Unknown object
 * fields are ignored; the caller decides which fields may be missing or null.
 */

export class SchemaError extends Error {
  override readonly name = 'SchemaError'
  readonly code = 'CCE_SCHEMA'
  constructor(
    readonly path: string,
    readonly problem: string
  ) {
    super(`${path === '' ? '(root)' : path}: ${problem}`)
  }
}

export type Decoder<T> = (value: unknown, path: string) => T

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value
}

function fail(path: string, expected: string, value: unknown): never {
  throw new SchemaError(path, `expected ${expected}, got ${describe(value)}`)
}

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path === '' ? key : `${path}.${key}`
}

export const str: Decoder<string> = (value, path) =>
  typeof value === 'string' ? value : fail(path, 'string', value)

export const num: Decoder<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'number', value)

export const bool: Decoder<boolean> = (value, path) =>
  typeof value === 'boolean' ? value : fail(path, 'boolean', value)

/** Missing or null become null; anything else must decode. */
export function nullable<T>(decoder: Decoder<T>, expected: string): Decoder<T | null> {
  return (value, path) => {
    if (value === undefined || value === null) return null
    try {
      return decoder(value, path)
    } catch (error) {
      if (error instanceof SchemaError && error.path === path) fail(path, `${expected} or null`, value)
      throw error
    }
  }
}

/** Missing or null become the fallback. */
export function withDefault<T>(decoder: Decoder<T>, fallback: T): Decoder<T> {
  return (value, path) => (value === undefined || value === null ? fallback : decoder(value, path))
}

export function array<T>(item: Decoder<T>): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, 'array', value)
    return value.map((element, index) => item(element, child(path, index)))
  }
}

type Shape<T> = { [K in keyof T]: Decoder<T[K]> }

/** Reads only the listed fields; the rest of the object is ignored. */
export function object<T>(shape: Shape<T>): Decoder<T> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'object', value)
    const record = value as Record<string, unknown>
    const result: Partial<T> = {}
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      result[key] = shape[key](record[key], child(path, key))
    }
    return result as T
  }
}
