import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/environment.js'

describe('the runtime settings of the image', () => {
  it('are the ones the memory benchmark measures, and leave the heap to the program', async () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')
    // bench/ is plain JavaScript without types
    const bench = (await import(join(REPO_ROOT, 'bench/sections/memory.js'))) as {
      IMAGE_ENV: Record<string, string>
    }
    for (const [name, value] of Object.entries(bench.IMAGE_ENV)) {
      expect(dockerfile).toMatch(new RegExp(`^\\s+${name}=${value} \\\\$`, 'm'))
    }
    // NODE_OPTIONS would switch off the program's own garbage collector settings (src/cli/heap-tuning.ts)
    expect(dockerfile).not.toContain('NODE_OPTIONS')
  })
})
