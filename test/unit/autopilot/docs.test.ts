import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseStorageAutopilot } from '../../../src/config/autopilot.js'
import { REPO_ROOT } from '../../helpers/environment.js'

const doc = (): string => readFileSync(resolve(REPO_ROOT, 'docs/autopilot.md'), 'utf8')

describe('docs/autopilot.md', () => {
  it('has an example policy that is valid as written', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc())?.[1]
    const raw = (parse(example ?? '') as { autopilot: { storage: unknown } }).autopilot.storage
    const problems: string[] = []
    const policy = parseStorageAutopilot(raw, problems)
    expect(problems).toEqual([])
    expect(policy?.mode).toBe('apply')
    expect(policy?.maintenanceWindow).toEqual({ days: [0, 6], startMinutes: 120, durationSeconds: 6 * 3600 })
  })

  it('documents every key the parser accepts, and no other', () => {
    const documented = [...doc().matchAll(/^\| `([a-z_.]+)`(?: \/ `\.([a-z]+)`)? \|/gm)].map(
      (m) => m[1] ?? ''
    )
    const accepted = (key: string): boolean => {
      const problems: string[] = []
      const path = key.split('.')
      const value: Record<string, unknown> = {}
      let node = value
      path.slice(0, -1).forEach((part) => {
        node[part] = {}
        node = node[part] as Record<string, unknown>
      })
      node[path.at(-1) ?? ''] = null
      parseStorageAutopilot(value, problems)
      return !problems.some((problem) => problem.includes('unknown key'))
    }
    expect(documented.length).toBeGreaterThan(15)
    for (const key of documented) expect(accepted(key), key).toBe(true)
    expect(accepted('limits.max_disk_size')).toBe(false)
  })
})
