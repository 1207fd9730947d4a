/** Loading the Kubernetes manifests of deploy/kubernetes, parsed the way Kubernetes reads them. */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { REPO_ROOT } from '../../helpers/environment.js'

export const KUBERNETES_DIR = join(REPO_ROOT, 'deploy', 'kubernetes')

/** A parsed object whose shape the test checks itself; access is by path with `at`. */
export type Json = Record<string, unknown>

export interface Manifest {
  readonly file: string
  readonly text: string
  readonly kind: string
  readonly name: string
  readonly body: Json
}

/** Kubernetes parses YAML 1.1 (so `0440` is octal); parsing the same way catches what it would see. */
export function parseYaml11(text: string, file: string): Json[] {
  return parseAllDocuments(text, { version: '1.1' }).map((document) => {
    if (document.errors.length > 0)
      throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`)
    return document.toJS() as Json
  })
}

export function manifestFiles(): string[] {
  return readdirSync(KUBERNETES_DIR)
    .filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml')
    .sort()
}

export function loadManifests(): Manifest[] {
  return manifestFiles().flatMap((file) => {
    const text = readFileSync(join(KUBERNETES_DIR, file), 'utf8')
    return parseYaml11(text, file).map((body) => ({
      file,
      text,
      kind: String(body['kind']),
      name: String(at(body, 'metadata', 'name')),
      body
    }))
  })
}

/** Walks into nested objects and arrays; undefined when a step is missing. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[step]
  }
  return current
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : []
}

export function record(value: unknown): Record<string, string> {
  return value !== null && typeof value === 'object' ? (value as Record<string, string>) : {}
}

/** Whether every key/value of `selector` is among `labels` (a matchLabels selection). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector)
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value)
}
