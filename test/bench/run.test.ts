import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { externalTool, REPO_ROOT } from '../helpers/environment.js'

// The benchmark's quick mode, end to end, so that `npm run bench` cannot rot: every section must write
// its table with measured numbers in it. No figure is compared with a goal here (the machine is noisy).
const tools = ['prometheus', 'nginx', 'wrk'].map((name) => externalTool(name))
const ready = tools.every((path) => path !== undefined)

const SECTIONS = [
  '## Machine',
  '## Goals',
  '## 1. Ingest',
  '## 2. Parser',
  '## 3. Serving',
  '## 4. Memory',
  '## 5. API budget',
  '## 6. Freshness',
  '## 7. Per-cluster targets',
  '## 8. A typical organization',
  '## 9. Scale'
]

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bench/run.js'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.once('error', reject)
    child.once('exit', (code) => resolvePromise({ code, output }))
  })
}

/** The data rows of the first table after `heading`. */
function tableRows(markdown: string, heading: string): string[][] {
  const section = markdown.slice(markdown.indexOf(heading))
  const lines = section.split('\n')
  const start = lines.findIndex((line) => line.startsWith('| ') && !line.startsWith('| ---'))
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim())
    )
  }
  return rows
}

describe.skipIf(!ready)('node bench/run.js --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cce-bench-test-'))
  const out = join(dir, 'BENCHMARKS.md')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes BENCHMARKS.md with every section and measured numbers', { timeout: 240_000 }, async () => {
    const { code, output } = await run(['--quick', '--out', out])
    expect(code, output).toBe(0)
    expect(output).toMatch(/\d+ goals met, \d+ missed/)
    const markdown = readFileSync(out, 'utf8')
    for (const heading of SECTIONS) expect(markdown).toContain(heading)
    expect(markdown).toMatch(/\| Prometheus \| prometheus, version \d/)

    const ingest = tableRows(markdown, '## 1. Ingest')
    expect(ingest.map((row) => row[0])).toEqual(
      expect.arrayContaining(['3 clusters (simulator)', '100 clusters (simulator)'])
    )
    for (const row of ingest) {
      expect(row[3]).toMatch(/^\d+(\.\d+)? ms$/) // exporter
      expect(row[5]).toMatch(/^\d+(\.\d+)? ms$/) // Prometheus scrape_duration_seconds
      expect(row[7]).toMatch(/^\d+\.\d+×$/)
      expect(row[8]).toMatch(/^\d+(\.\d+)? ms$/) // exporter back to back
      // Runs timed between Prometheus's scrapes: exporter, GET alone, scrapes (each at least one).
      const [exporterRuns, getRuns, scrapes] = (/^(\d+) \/ (\d+) \/ (\d+)/.exec(row.at(-1)!) ?? [])
        .slice(1)
        .map(Number)
      expect(exporterRuns).toBeGreaterThan(0)
      expect(getRuns).toBeGreaterThan(0)
      expect(scrapes).toBeGreaterThan(0)
    }

    // The same bodies at a paced rate: the GET alone and the collector's run, both timed.
    const paced = tableRows(markdown, '### Paced transfer')
    expect(paced.map((row) => `${row[0]} at ${row[2]}`)).toEqual(['3 clusters (simulator) at 1 Gbit/s'])
    for (const row of paced) {
      expect(row[4]).toMatch(/^\d+(\.\d+)? ms$/) // GET alone
      expect(row[5]).toMatch(/^\d+(\.\d+)? ms$/) // the run
      expect(row[6]).toMatch(/^\d+\.\d+×$/)
    }

    const parser = tableRows(markdown, '## 2. Parser')
    expect(parser.length).toBeGreaterThanOrEqual(2)
    for (const row of parser) {
      expect(Number(row[2])).toBeGreaterThan(0) // reader MB/s
      expect(Number.parseFloat(row[5]!)).toBeGreaterThan(0) // parse-prometheus-text-format MB/s
      expect(Number(row[8])).toBeGreaterThan(0) // nodes read
    }

    const serving = tableRows(markdown, '## 3. Serving')
    expect(serving.map((row) => `${row[0]} ${row[2]}`)).toEqual(
      expect.arrayContaining([
        'identity exporter /metrics',
        'identity bare node:http, prebuilt Buffer',
        'identity nginx, static file',
        'gzip exporter /metrics',
        'gzip bare node:http, prebuilt Buffer',
        'gzip nginx, static file'
      ])
    )
    for (const row of serving) {
      expect(Number(row[3])).toBeGreaterThan(0) // requests/s
      expect(row[6]).toMatch(/^\d+\.\d+ ms$/) // p99
      expect(row[8]).toBe('0') // errors
    }

    const memory = tableRows(markdown, '## 4. Memory')
    // per Node.js (this one, and 24 when a binary is found), one row with its defaults, one as the
    // Docker image runs it
    const settings = memory.map((row) => row[1]?.startsWith('as the Docker image'))
    expect(settings).toEqual(memory.length === 4 ? [false, true, false, true] : [false, true])
    expect(memory[0]?.[0]).toBe(process.version)
    if (memory.length === 4) expect(memory[2]?.[0]).toMatch(/^v24\./)
    for (const row of memory) {
      expect(row[9]).toMatch(/^\d+ MiB$/) // peak RSS
      expect(row[8]).toBe('0') // failed runs
    }

    const budget = tableRows(markdown, '## 5. API budget')
    expect(budget.map((row) => row[0])).toEqual(['1', '10'])
    for (const row of budget) {
      const organizations = Number(row[0])
      expect(Number(row[5])).toBeCloseTo(organizations, 1) // one org-metrics call per organization
      expect(row[10]).toMatch(/^0\.00 /) // none per scrape
      expect(row[11]).toMatch(/, 0 failed$/)
    }

    const freshness = tableRows(markdown, '## 6. Freshness')
    expect(freshness.map((row) => row[0])).toEqual(['re-serve (200)', '429 + Retry-After'])
    for (const row of freshness) {
      expect(row[3]).toMatch(/^\d+ \(\d+\)$/) // requests (fresh)
      expect(row[7]).toMatch(/^\d+\.\d s$/) // data age max
    }

    const probe = tableRows(markdown, '## 7. Per-cluster targets')
    expect(probe.map((row) => `${row[0]} ${row[1]}`)).toEqual([
      '/metrics (all clusters) identity',
      '/probe (one cluster) identity',
      '/sd (30 targets) identity',
      '/metrics (all clusters) gzip',
      '/probe (one cluster) gzip'
    ])
    for (const row of probe) {
      expect(Number(row[3])).toBeGreaterThan(0) // requests/s
      expect(row[6]).toBe('0') // errors
    }
    // one cluster's answer is a small part of all clusters'
    expect(Number(probe[1]![2])).toBeLessThan(Number(probe[0]![2]) / 10)

    // The demo scenario beside the bare fastify server: each variant's exporter row holds the demo's
    // clusters at ready and its RSS as a ratio of the bare server's measured just before.
    const typical = tableRows(markdown, '## 8. A typical organization')
    expect(typical).toHaveLength(4)
    for (const row of typical.filter((cells) => cells[1]!.startsWith('exporter'))) {
      expect(row[5]).toMatch(/^10 \(\d+\)$/)
      expect(row[6]).toMatch(/^\d+\.\d MiB$/)
      expect(row[8]).toMatch(/^\d+\.\d\d× \/ \d+\.\d\d×$/)
    }

    // Quick: a scaled-down organization, labelled so, and no scale goal claimed from it.
    expect(markdown).toContain('## 9. Scale: one organization of 300 clusters, quick')
    expect(markdown).not.toMatch(/^- (met|\*\*MISSED\*\*): scale:/m)
    const simulator = tableRows(markdown, '## 9. Scale')
    expect(simulator).toHaveLength(2)
    for (const row of simulator) expect(Number(row[4])).toBeGreaterThan(0) // MB/s (wall)
    const scale = tableRows(markdown, '| exporter |')
    expect(scale).toHaveLength(1)
    expect(scale[0]![8]).toMatch(/^\d+\.\d s$/) // exporter CPU per measured cycle
    expect(scale[0]![10]).toBe('0') // failed runs
    expect(scale[0]![11]).toBe('0') // nodes dropped
    expect(scale[0]![12]).toMatch(/^\d+ MiB$/) // peak RSS
    expect(scale[0]!.at(-1)).toBe('n/a (quick)')
  })
})
