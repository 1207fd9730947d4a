/**
 * The YAML configuration file as one source of settings: parsed, checked against the known keys
 * (an unknown key is an error, with the closest known one suggested), each value parsed at its path.
 */
import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'
import { COLLECTOR_NAMES } from '../collectors/names.js'
import { didYouMean, shown } from './parse.js'
import { SETTINGS, type Setting } from './settings.js'

export interface YamlSource {
  /** Parsed values by YAML path; a key set to null counts as not set. */
  readonly values: Map<string, unknown>
  /** Raw `api.credentials`, checked by credentials.ts; undefined when absent. */
  readonly credentials: unknown
  /** Raw `autopilot.storage`, checked by autopilot.ts; undefined when absent. */
  readonly autopilot?: unknown
  /** The file is not YAML at all, so nothing from it could be read. */
  readonly broken: boolean
}

type Node =
  | { readonly kind: 'branch'; readonly children: Map<string, Node> }
  | { readonly kind: 'leaf'; readonly setting: Setting | null }

// Loaded with the first file read: most runs have none, and the parser costs every start about
// 2 MiB and 100 ms. (require: loadConfig is synchronous; the package's Node.js entry is CommonJS.)
let yaml: typeof Yaml | undefined
const loadYaml = (): typeof Yaml => (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml)

const CREDENTIALS_PATH = 'api.credentials'
const AUTOPILOT_PATH = 'autopilot.storage'

function buildTree(): Node {
  const root: Node = { kind: 'branch', children: new Map() }
  const add = (path: string, setting: Setting | null): void => {
    const parts = path.split('.')
    let node: Node = root
    parts.forEach((part, index) => {
      if (node.kind !== 'branch') return
      let next: Node | undefined = node.children.get(part)
      if (next === undefined) {
        next =
          index === parts.length - 1 ? { kind: 'leaf', setting } : { kind: 'branch', children: new Map() }
        node.children.set(part, next)
      }
      node = next
    })
  }
  for (const setting of SETTINGS) add(setting.path, setting)
  add(CREDENTIALS_PATH, null)
  add(AUTOPILOT_PATH, null)
  return root
}

const TREE = buildTree()

export function readYamlSource(text: string, file: string, problems: string[]): YamlSource {
  const values = new Map<string, unknown>()
  let credentials: unknown
  let autopilot: unknown
  const document = loadYaml().parseDocument(text, { prettyErrors: false, uniqueKeys: true })
  if (document.errors.length > 0) {
    // Only the first line, up to a colon: the rest quotes the file (a token, the lines around it), which
    // may hold a secret.
    for (const error of document.errors) {
      const before = text.slice(0, error.pos[0]).split('\n')
      const where = ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`
      problems.push(`${file}: not valid YAML${where}: ${error.message.split(/\n|:/)[0] ?? error.code}`)
    }
    return { values, credentials, broken: true }
  }
  let root: unknown
  try {
    root = document.toJS()
  } catch (error) {
    // An alias without its anchor parses but cannot be resolved. The part after ":" names the alias.
    const what = error instanceof Error ? (error.message.split(':')[0] ?? error.name) : 'cannot be read'
    problems.push(`${file}: not valid YAML: ${what}`)
    return { values, credentials, broken: true }
  }
  if (root === null || root === undefined) return { values, credentials, broken: false }

  const walk = (raw: unknown, node: Node, path: string): void => {
    if (node.kind === 'leaf') {
      if (raw === null || raw === undefined) return
      if (node.setting === null) {
        if (path === AUTOPILOT_PATH) autopilot = raw
        else credentials = raw
        return
      }
      const parsed = node.setting.parse(raw)
      if (parsed.ok) values.set(path, parsed.value)
      else problems.push(`${path}: ${parsed.error}`)
      return
    }
    if (raw === null || raw === undefined) return
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${path === '' ? file : path}: must be a mapping, got ${shown(raw)}`)
      return
    }
    const known = [...node.children.keys()]
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const childPath = path === '' ? key : `${path}.${key}`
      const child = node.children.get(key)
      if (child !== undefined) walk(value, child, childPath)
      else if (path === 'collectors') {
        problems.push(
          `${childPath}: unknown collector${didYouMean(key, known)}; known: ${COLLECTOR_NAMES.join(', ')}`
        )
      } else problems.push(`${childPath}: unknown key${didYouMean(key, known)}`)
    }
  }
  walk(root, TREE, '')
  return { values, credentials, broken: false, ...(autopilot === undefined ? {} : { autopilot }) }
}
