import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createExpositionRenderer,
  renderOpenMetrics,
  renderText,
  scrapeBody
} from '../../../src/metrics/exposition.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import type { FamilySpec } from '../../../src/metrics/types.js'
import { externalTool } from '../../helpers/environment.js'
import { representativeFamilies } from '../../fixtures/exposition/families.js'

const GOLDEN = '../../fixtures/exposition'

interface ParsedFamily {
  help: string
  metrics: { value: string; labels?: Record<string, string> }[]
}
// the package ships no type declarations
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string
) => ParsedFamily[]

function spec(name: string, type: FamilySpec['type'], labelNames: string[] = ['a']): FamilySpec {
  return { name, type, labelNames, help: `help of ${name}` }
}

function promtoolCheck(body: string): { status: number | null; output: string } | undefined {
  const promtool = externalTool('promtool')
  if (promtool === undefined) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'cce-promtool-'))
  const file = join(dir, 'metrics.txt')
  writeFileSync(file, body)
  const result = spawnSync('sh', ['-c', `"${promtool}" check metrics < "${file}"`], { encoding: 'utf8' })
  return { status: result.status, output: result.stdout + result.stderr }
}

describe('golden expositions', () => {
  it('renders the representative families in the text format 0.0.4', async () => {
    await expect(renderText(representativeFamilies)).toMatchFileSnapshot(`${GOLDEN}/representative.prom`)
  })

  it('renders the representative families in OpenMetrics 1.0.0', async () => {
    await expect(renderOpenMetrics(representativeFamilies)).toMatchFileSnapshot(
      `${GOLDEN}/representative.openmetrics.txt`
    )
  })
})

describe('renderText', () => {
  it('escapes backslash, double quote and newline in label values and keeps unicode as is', () => {
    const text = renderText([
      { spec: spec('x', 'gauge'), samples: [{ labels: ['a\\b"c\nd ☃ 集'], value: 1 }] }
    ])
    expect(text).toContain('x{a="a\\\\b\\"c\\nd ☃ 集"} 1\n')
  })

  it('escapes backslash and newline in HELP but not double quotes', () => {
    const text = renderText([
      {
        spec: { ...spec('x', 'gauge'), help: 'say "hi"\\ then\nmore' },
        samples: [{ labels: ['v'], value: 1 }]
      }
    ])
    expect(text.split('\n')[0]).toBe('# HELP x say "hi"\\\\ then\\nmore')
  })

  it('formats special and large values as Prometheus does, without timestamps', () => {
    const values = [Number.NaN, Infinity, -Infinity, 1099511627776, 2 ** 53 - 1, 0.1, 1e-7, -3, 1.5e300]
    const text = renderText([
      { spec: spec('x', 'gauge', ['i']), samples: values.map((value, i) => ({ labels: [String(i)], value })) }
    ])
    const rendered = text
      .split('\n')
      .filter((line) => line.startsWith('x{'))
      .map((line) => line.split(' ')[1])
    expect(rendered).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '1099511627776',
      '9007199254740991',
      '0.1',
      '1e-7',
      '-3',
      '1.5e+300'
    ])
    expect(
      text
        .split('\n')
        .filter((line) => line.startsWith('x{'))
        .every((l) => l.split(' ').length === 2)
    ).toBe(true)
  })

  it('merges families of the same name, keeping the last of identical label sets', () => {
    const text = renderText([
      { spec: spec('m', 'gauge'), samples: [{ labels: ['1'], value: 1 }] },
      { spec: spec('b', 'gauge'), samples: [{ labels: ['x'], value: 9 }] },
      {
        spec: spec('m', 'gauge'),
        samples: [
          { labels: ['2'], value: 2 },
          { labels: ['1'], value: 10 }
        ]
      }
    ])
    expect(text).toBe(
      [
        '# HELP b help of b',
        '# TYPE b gauge',
        'b{a="x"} 9',
        '# HELP m help of m',
        '# TYPE m gauge',
        'm{a="1"} 10',
        'm{a="2"} 2',
        ''
      ].join('\n')
    )
    expect(text.match(/# TYPE m /g)).toHaveLength(1)
  })

  it('treats label sets as equal regardless of the order of label names', () => {
    const text = renderText([
      { spec: spec('m', 'gauge', ['a', 'b']), samples: [{ labels: ['1', '2'], value: 1 }] },
      { spec: spec('m', 'gauge', ['b', 'a']), samples: [{ labels: ['2', '1'], value: 5 }] }
    ])
    expect(text.split('\n').filter((line) => line.startsWith('m{'))).toEqual(['m{a="1",b="2"} 5'])
  })

  it('keeps samples of a same-named family with other label names as their own series', () => {
    const text = renderText([
      { spec: spec('m', 'gauge', ['a']), samples: [{ labels: ['1'], value: 1 }] },
      { spec: spec('m', 'gauge', ['a', 'b']), samples: [{ labels: ['1', '2'], value: 2 }] }
    ])
    expect(text.split('\n').filter((line) => line.startsWith('m{'))).toEqual([
      'm{a="1"} 1',
      'm{a="1",b="2"} 2'
    ])
  })

  it('renders info metrics as gauges and leaves out families without samples', () => {
    const text = renderText([
      { spec: spec('x_info', 'info'), samples: [{ labels: ['v'], value: 1 }] },
      { spec: spec('empty', 'gauge'), samples: [] }
    ])
    expect(text).toBe('# HELP x_info help of x_info\n# TYPE x_info gauge\nx_info{a="v"} 1\n')
    expect(renderText([])).toBe('')
  })
})

describe('renderOpenMetrics', () => {
  it('names counter and info families without their suffix and ends in one # EOF', () => {
    const text = renderOpenMetrics([
      { spec: spec('c_total', 'counter'), samples: [{ labels: ['v'], value: 3 }] },
      { spec: spec('i_info', 'info'), samples: [{ labels: ['v'], value: 1 }] },
      { spec: spec('g', 'gauge', []), samples: [{ labels: [], value: -1 }] }
    ])
    expect(text).toBe(
      [
        '# HELP c_total help of c_total'.replace('c_total', 'c'),
        '# TYPE c counter',
        'c_total{a="v"} 3',
        '# HELP g help of g',
        '# TYPE g gauge',
        'g -1',
        '# HELP i help of i_info',
        '# TYPE i info',
        'i_info{a="v"} 1',
        '# EOF',
        ''
      ].join('\n')
    )
  })

  it('escapes double quotes in HELP as well', () => {
    const text = renderOpenMetrics([
      { spec: { ...spec('x', 'gauge'), help: 'a "b" \\ c\nd' }, samples: [{ labels: ['v'], value: 1 }] }
    ])
    expect(text.split('\n')[0]).toBe('# HELP x a \\"b\\" \\\\ c\\nd')
  })

  it('is only "# EOF" for no families', () => {
    expect(renderOpenMetrics([])).toBe('# EOF\n')
  })
})

describe('round trip', () => {
  it('parses back to the same label values and HELP for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (value, help) => {
        const text = renderText([
          { spec: { ...spec('x', 'gauge'), help: `<${help}>` }, samples: [{ labels: [value], value: 1 }] }
        ])
        const [family] = parse(text)
        expect(family?.help).toBe(`<${help}>`)
        expect(family?.metrics[0]?.labels?.['a']).toBe(value)
      })
    )
  })
})

/** promtool 2.42 has no OpenMetrics linter; its backfill command runs the OpenMetrics parser Prometheus scrapes with. */
function promtoolParseOpenMetrics(body: string): { status: number | null; output: string } | undefined {
  const promtool = externalTool('promtool')
  if (promtool === undefined) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'cce-promtool-om-'))
  const file = join(dir, 'metrics.om')
  // backfilling needs a timestamp on every sample; the exposition itself never has one
  writeFileSync(file, body.replace(/^([^#].*)$/gm, '$1 1700000000'))
  const result = spawnSync(
    promtool,
    ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'blocks')],
    {
      encoding: 'utf8'
    }
  )
  return { status: result.status, output: result.stdout + result.stderr }
}

describe('promtool check metrics', () => {
  it('accepts the text format of the representative families', () => {
    const result = promtoolCheck(renderText(representativeFamilies))
    if (result === undefined) return
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  async function renderWithSelfMetrics(defaultMetrics: boolean): Promise<string> {
    const registry = new Registry()
    const self = createSelfMetrics({ registry, version: '0.0.0', revision: 'test', defaultMetrics })
    self.apiRequestDuration.observe({ endpoint: '/api/v2/organizations/' }, 0.3)
    self.scrapes.inc({ format: 'text' })
    const renderer = createExpositionRenderer({ selfRegistry: registry, clock: { now: () => 0 } })
    await renderer.render(representativeFamilies)
    return scrapeBody(renderer, 'text')
  }

  it('accepts the text format with the self metrics appended', async () => {
    const result = promtoolCheck(await renderWithSelfMetrics(false))
    if (result === undefined) return
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  it("parses the OpenMetrics output, self metrics included, with Prometheus's OpenMetrics parser", async () => {
    const registry = new Registry()
    const self = createSelfMetrics({ registry, version: '0.0.0', revision: 'test', defaultMetrics: true })
    self.apiRequestDuration.observe({ endpoint: '/api/v2/organizations/' }, 0.3)
    const renderer = createExpositionRenderer({ selfRegistry: registry, clock: { now: () => 0 } })
    await renderer.render(representativeFamilies)
    const body = await scrapeBody(renderer, 'openmetrics')
    const result = promtoolParseOpenMetrics(body)
    if (result === undefined) return
    expect(result.output).toContain('NUM SERIES')
    expect(result.status).toBe(0)
    expect(promtoolParseOpenMetrics(body.replace('# EOF\n', ''))?.status).toBe(1)
  })

  it('accepts the text format with the process metrics on, without the _total gauges of prom-client', async () => {
    const text = await renderWithSelfMetrics(true)
    expect(text).toContain('# TYPE nodejs_active_handles gauge')
    expect(text).not.toContain('nodejs_active_handles_total')
    const result = promtoolCheck(text)
    if (result === undefined) return
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })
})
