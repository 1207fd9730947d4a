import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../helpers/environment.js'

/**
 * The layering of src/ (docs/architecture.md), checked on the import graph: every `import ... from`,
 * `export ... from` and `import('...')` with a relative path, type-only imports included.
 */

const SRC = resolve(REPO_ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'([^']+)'/gm

/** Module (path relative to src/, e.g. "engine/start.ts") -> the src modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    const targets: string[] = []
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? ''
      if (!specifier.startsWith('.')) continue
      targets.push(relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts'))
    }
    graph.set(relative(SRC, file), targets)
  }
  return graph
}

/** The entry and the commands: the only modules that may touch `process`, and may import anything. */
const isEntry = (module: string): boolean =>
  module === 'cli.ts' || module.startsWith('cli/') || module.startsWith('commands/')
/** Leaf modules everything may use. */
const BASE = new Set(['clock.ts', 'logger.ts', 'version.ts'])
const area = (module: string): string => (module.includes('/') ? (module.split('/')[0] ?? '') : module)

interface Rule {
  readonly name: string
  readonly applies: (from: string) => boolean
  readonly allowed: (to: string) => boolean
}

const RULES: readonly Rule[] = [
  {
    name: 'the server imports only the engine view types, metrics/ and the base',
    applies: (from) => area(from) === 'server',
    allowed: (to) => ['server', 'metrics'].includes(area(to)) || to === 'engine/view.ts' || BASE.has(to)
  },
  {
    name: 'collectors never import the engine, the server, the entry or the simulator',
    applies: (from) => area(from) === 'collectors',
    allowed: (to) => !['engine', 'server', 'simulator'].includes(area(to)) && !isEntry(to)
  },
  {
    name: 'cloud is HTTP only: nothing of collectors, engine, server, metrics, config or prom-text',
    applies: (from) => area(from) === 'cloud',
    allowed: (to) => area(to) === 'cloud' || BASE.has(to)
  },
  {
    name: 'prom-text knows nothing outside itself',
    applies: (from) => area(from) === 'prom-text',
    allowed: (to) => area(to) === 'prom-text'
  },
  {
    name: 'config depends on nothing above it (only the collector names, a leaf, and the base)',
    applies: (from) => area(from) === 'config',
    allowed: (to) => area(to) === 'config' || to === 'collectors/names.ts' || BASE.has(to)
  },
  {
    name: 'metrics imports only itself and the base',
    applies: (from) => area(from) === 'metrics',
    allowed: (to) => area(to) === 'metrics' || BASE.has(to)
  },
  {
    name: 'the engine does not import the server, except start.ts which wires it',
    applies: (from) => area(from) === 'engine' && from !== 'engine/start.ts',
    allowed: (to) => area(to) !== 'server' && !isEntry(to) && area(to) !== 'simulator'
  },
  {
    name: 'the autopilot acts through cloud on what the engine shows: no server, scheduler or exporter',
    applies: (from) => area(from) === 'autopilot',
    allowed: (to) =>
      ['autopilot', 'cloud', 'collectors', 'config', 'metrics'].includes(area(to)) ||
      to === 'engine/view.ts' ||
      BASE.has(to)
  },
  {
    name: 'the simulator imports only itself, the clock and the logger',
    applies: (from) => area(from) === 'simulator',
    allowed: (to) => area(to) === 'simulator' || to === 'clock.ts' || to === 'logger.ts'
  },
  {
    name: 'the exporter never imports the simulator or the entry',
    applies: (from) => !isEntry(from) && area(from) !== 'simulator',
    allowed: (to) => area(to) !== 'simulator' && !isEntry(to)
  },
  {
    name: 'the base imports nothing of the project',
    applies: (from) => BASE.has(from) || from === 'collectors/names.ts',
    allowed: () => false
  }
]

/**
 * What a module loads when it is evaluated: static imports without `import type`, as module paths
 * ("engine/start.ts") and package names ("yaml").
 */
function loadedAtStart(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const statement = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s*)?'([^']+)'/gm
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    const targets: string[] = []
    for (const match of text.matchAll(statement)) {
      const specifier = match[1] ?? ''
      if (specifier.startsWith('node:')) continue
      targets.push(
        specifier.startsWith('.')
          ? relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts')
          : specifier
      )
    }
    graph.set(relative(SRC, file), targets)
  }
  return graph
}

function reachable(graph: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>()
  const stack = [start]
  while (stack.length > 0) {
    const module = stack.pop() ?? ''
    if (seen.has(module)) continue
    seen.add(module)
    stack.push(...(graph.get(module) ?? []))
  }
  return seen
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (module: string): void => {
    state.set(module, 'open')
    path.push(module)
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(module, 'done')
  }
  for (const module of graph.keys()) if (!state.has(module)) visit(module)
  return found
}

describe('import rules of src/', () => {
  const graph = importGraph()

  it('reads a graph that has the modules and edges it should', () => {
    // Guards the parser: if it found nothing, every rule below would pass.
    expect(graph.size).toBeGreaterThan(100)
    expect(graph.get('engine/start.ts')).toContain('server/build-server.ts')
    expect(graph.get('engine/exporter.ts')).toContain('collectors/registry.ts')
    for (const targets of graph.values())
      for (const target of targets) expect(graph.has(target), target).toBe(true)
  })

  for (const rule of RULES) {
    it(rule.name, () => {
      const broken: string[] = []
      for (const [from, targets] of graph) {
        if (!rule.applies(from)) continue
        for (const to of targets) if (!rule.allowed(to)) broken.push(`${from} -> ${to}`)
      }
      expect(broken).toEqual([])
    })
  }

  it('has no import cycle', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([])
  })

  it('the simulator and the exporter share no module but the logger and the clock', () => {
    const simulator = reachable(graph, 'simulator/index.ts')
    const exporter = reachable(graph, 'engine/start.ts')
    expect([...simulator].filter((module) => exporter.has(module)).sort()).toEqual(['clock.ts', 'logger.ts'])
  })

  it('the exporter loads at start neither the other commands, the autopilot, nor parsers it may not need', () => {
    const loaded = loadedAtStart()
    // Guards the parser: these are loaded at start, and must be found.
    const run = reachable(loaded, 'commands/run.ts')
    expect([...run]).toEqual(expect.arrayContaining(['engine/start.ts', 'fastify', 'pino', 'prom-client']))
    const notNeeded = [...new Set([...reachable(loaded, 'cli.ts'), ...run])].filter(
      (module) =>
        ['simulator', 'autopilot'].includes(area(module)) ||
        ['commands/demo.ts', 'commands/simulate.ts', 'yaml', 'undici', 'bcryptjs'].includes(module)
    )
    expect(notNeeded).toEqual([])
  })

  it('nothing but the entry and the commands touches process', () => {
    const users: string[] = []
    for (const module of graph.keys()) {
      if (isEntry(module)) continue
      const text = readFileSync(join(SRC, module), 'utf8')
        // The Node version is a constant of the build-info metric, not process state.
        .replaceAll('process.version', '')
        // Types (NodeJS.ProcessEnv) and comments are not uses.
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      if (/\bprocess\s*\./.test(text) || /from 'node:process'/.test(text)) users.push(module)
    }
    expect(users).toEqual([])
  })
})
