/**
 * The garbage collector's settings the program chooses for itself when the user chose none. cli.ts sets
 * them before it loads the other modules, while the heap is still at its initial size.
 *
 * Reading a large organization's metrics body (121 MB for 1,000 clusters) makes garbage fast: Node.js's
 * default young generation then grows to 16 MiB semi-spaces, and the old generation is let grow to a
 * few times its live size before a full collection frees the poll before last. Both flags below are
 * read by V8 whenever it resizes a space, so setting them at run time takes effect (v8 heap space
 * statistics show it; test/integration/heap-tuning.test.ts checks it):
 *
 * - the young generation stays at its initial size (1 MiB semi-spaces on Node.js 20) instead of
 *   doubling up to 16 MiB;
 * - the old generation's next full collection comes at 1.5 × the live size left by the last one.
 *
 * A flag is left alone when the user set it, or a flag with the same purpose, in NODE_OPTIONS or on
 * node's command line: `--max-semi-space-size=16` or `--heap-growing-percent=0` restores Node.js's
 * behaviour (node accepts the latter on its command line only: in NODE_OPTIONS it refuses to start).
 */
import v8 from 'node:v8'

export interface HeapTuning {
  /** As given to v8.setFlagsFromString. */
  readonly flag: string
  /** Flags (without value) that mean the user decided this themselves. */
  readonly unlessSet: readonly string[]
}

export const HEAP_TUNING: readonly HeapTuning[] = [
  {
    flag: '--semi-space-growth-factor=1',
    unlessSet: ['--semi-space-growth-factor', '--max-semi-space-size', '--min-semi-space-size']
  },
  { flag: '--heap-growing-percent=50', unlessSet: ['--heap-growing-percent'] }
]

/** `--max_semi_space_size=2` and `--max-semi-space-size 2` both name `--max-semi-space-size`. */
function flagName(token: string): string | null {
  if (!token.startsWith('--')) return null
  const name = token.slice(2).split('=', 1)[0] ?? ''
  return `--${name.replaceAll('_', '-')}`
}

/** The tuning flags to set, given node's own arguments and the NODE_OPTIONS environment variable. */
export function heapTuningFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set<string>()
  for (const token of [...execArgv, ...(nodeOptions ?? '').split(/\s+/)]) {
    const name = flagName(token)
    if (name !== null) given.add(name)
  }
  return HEAP_TUNING.filter((tuning) => !tuning.unlessSet.some((name) => given.has(name))).map(
    (tuning) => tuning.flag
  )
}

export function applyHeapTuning(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const flags = heapTuningFlags(execArgv, nodeOptions)
  for (const flag of flags) v8.setFlagsFromString(flag)
  return flags
}
