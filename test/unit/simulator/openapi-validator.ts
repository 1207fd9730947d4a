import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

/**
 * Validates response bodies against the official OpenAPI 3.0 document, with the usual 3.0 -> JSON Schema
 * reading: `nullable` allows null, and writeOnly properties (password) are not required in a response.
 * One fix of the document itself: health.running_operation is described as "an empty string if there is
 * no operation in progress", but its enum omits "". The description (and the real API) win.
 */

type Node = Record<string, unknown>

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert)
  if (node === null || typeof node !== 'object') return node
  const source = node as Node
  const out: Node = {}
  for (const [key, value] of Object.entries(source)) {
    if (key === '$ref' && typeof value === 'string') out[key] = value.replace(/^#\//, 'openapi#/')
    else if (key === 'example' || key === 'nullable') continue
    else out[key] = convert(value)
  }
  const properties = source['properties'] as Record<string, Node> | undefined
  if (Array.isArray(source['required']) && properties !== undefined)
    out['required'] = (source['required'] as string[]).filter(
      (name) => properties[name]?.['writeOnly'] !== true
    )
  if (
    Array.isArray(source['enum']) &&
    typeof source['description'] === 'string' &&
    /empty string/i.test(source['description'])
  )
    out['enum'] = [...(source['enum'] as unknown[]), '']
  if (source['nullable'] === true) return { anyOf: [out, { type: 'null' }] }
  return out
}

export interface OpenApiValidator {
  /** The schema of a response (path template as in the document), or of the generic error of that status. */
  validate(template: string, method: string, status: number, body: unknown): string[]
}

export function createOpenApiValidator(path: string): OpenApiValidator {
  const document = JSON.parse(readFileSync(path, 'utf8')) as Node
  const ajv = new Ajv({ strict: false, allErrors: true })
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void
  addFormats(ajv)
  ajv.addSchema({ $id: 'openapi', components: convert(document['components']) })
  const cache = new Map<string, ValidateFunction>()
  const responses = (document['components'] as Node)['responses'] as Record<string, Node>
  return {
    validate(template, method, status, body) {
      const key = `${method} ${template} ${status}`
      let validator = cache.get(key)
      if (validator === undefined) {
        const operation = ((document['paths'] as Record<string, Node>)[template]?.[method.toLowerCase()] ??
          {}) as Node
        let response = ((operation['responses'] ?? {}) as Record<string, Node>)[String(status)]
        if (response === undefined) response = responses[String(status)] ?? responses['500']
        const ref = response?.['$ref']
        if (typeof ref === 'string') response = responses[ref.split('/').pop() ?? '']
        const content = (response?.['content'] ?? {}) as Record<string, Node>
        const schema = content['application/json']?.['schema']
        if (schema === undefined) throw new Error(`no JSON schema for ${key}`)
        validator = ajv.compile(convert(schema) as object)
        cache.set(key, validator)
      }
      return validator(body)
        ? []
        : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`)
    }
  }
}
