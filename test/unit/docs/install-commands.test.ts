import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../helpers/environment.js'

// The package is not on the npm registry: a command that fetches it from there must say so next to it.
const REGISTRY_COMMANDS = /npx cratedb-cloud-exporter|npm install (--global |-g )?cratedb-cloud-exporter\b/g
const MARKED = /not published|once (the package is |it is )?published/i

describe.each(['README.md', 'docs/deployment.md'])('%s', (file) => {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8')

  it('marks every install from the registry as working once the package is published', () => {
    const unmarked = [...text.matchAll(REGISTRY_COMMANDS)]
      .filter((match) => !MARKED.test(text.slice(Math.max(0, match.index - 200), match.index + 200)))
      .map((match) => `${match[0]} at offset ${match.index}`)
    expect(unmarked).toEqual([])
  })

  it('creates ~/.config/cratedb-cloud before writing a key file into it', () => {
    for (const match of text.matchAll(/> ~\/\.config\/cratedb-cloud\//g))
      expect(text.slice(0, match.index)).toContain('mkdir -p ~/.config/cratedb-cloud')
  })
})
