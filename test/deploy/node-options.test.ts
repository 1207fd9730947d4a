import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/environment.js'

describe('Node.js options of the image', () => {
  it('are the ones the memory benchmark measures', async () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')
    const inImage = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1]
    // bench/ is plain JavaScript without types
    const bench = (await import(join(REPO_ROOT, 'bench/sections/memory.js'))) as {
      IMAGE_NODE_OPTIONS: string
    }
    expect(inImage).toBe(bench.IMAGE_NODE_OPTIONS)
  })
})
