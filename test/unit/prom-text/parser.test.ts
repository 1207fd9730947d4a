import { describe, expect, it } from 'vitest'
import { createPromTextParser, parsePromText, type ParsedSample } from '../../../src/prom-text/index.js'

function only(text: string): ParsedSample {
  const parsed = parsePromText(text)
  expect(parsed.invalid).toEqual({ count: 0, first: null })
  expect(parsed.samples).toHaveLength(1)
  return parsed.samples[0]!
}

function firstError(line: string): string | undefined {
  return parsePromText(`${line}\n`).invalid.first?.message
}

describe('parsePromText: valid lines', () => {
  it.each([
    ['a 1', 'a', {}, 1, null],
    ['a{} 1', 'a', {}, 1, null],
    ['a{b="c"} 1.5 1700000000000', 'a', { b: 'c' }, 1.5, 1700000000000],
    ['a{b="c",} 1', 'a', { b: 'c' }, 1, null],
    ['a{b="c",d="e"} -1.0', 'a', { b: 'c', d: 'e' }, -1, null],
    ['a { b = "c" , d="e" , } 2', 'a', { b: 'c', d: 'e' }, 2, null],
    ['  a 3', 'a', {}, 3, null],
    ['a\t4\t5', 'a', {}, 4, 5],
    ['a 5 6  ', 'a', {}, 5, 6],
    ['a{b="c"}7', 'a', { b: 'c' }, 7, null],
    ['a 5.4411008E7', 'a', {}, 54411008, null],
    ['a 1e-3', 'a', {}, 0.001, null],
    ['a +2.5e+2', 'a', {}, 250, null],
    ['a .5', 'a', {}, 0.5, null],
    ['a 5.', 'a', {}, 5, null],
    ['a +Inf', 'a', {}, Infinity, null],
    ['a -Inf', 'a', {}, -Infinity, null],
    ['a Inf', 'a', {}, Infinity, null],
    ['a -infinity', 'a', {}, -Infinity, null],
    ['a 1 -5', 'a', {}, 1, -5],
    ['ns:sub_metric_total 9 +12', 'ns:sub_metric_total', {}, 9, 12],
    ['_x{_y="",Z9="ü"} 0', '_x', { _y: '', Z9: 'ü' }, 0, null],
    ['a{b="x\\\\y\\"z\\nw"} 1', 'a', { b: 'x\\y"z\nw' }, 1, null],
    ['a{b="{},= #"} 1', 'a', { b: '{},= #' }, 1, null]
  ])('%s', (line, name, labels, value, timestampMs) => {
    const sample = only(line)
    expect(sample.name).toBe(name)
    expect({ ...sample.labels }).toEqual(labels)
    expect(sample.value).toBe(value)
    expect(sample.timestampMs).toBe(timestampMs)
  })

  it('reads NaN', () => {
    expect(only('a NaN').value).toBeNaN()
    expect(only('a nan 1').value).toBeNaN()
  })

  it('gives labels that compare equal to plain objects', () => {
    expect(only('a{b="c"} 1').labels).toEqual({ b: 'c' })
  })

  it('keeps a label named __proto__ as an ordinary label', () => {
    expect(only('a{__proto__="x"} 1').labels['__proto__']).toBe('x')
  })

  it('reads full-precision values exactly like Number()', () => {
    for (const text of [
      '0.1',
      '1219.730375',
      '2298281984.0',
      '123456789012345678',
      '1.7976931348623157e308',
      '4.9e-324'
    ]) {
      expect(only(`a ${text}`).value).toBe(Number(text))
    }
  })
})

describe('parsePromText: invalid lines', () => {
  it.each([
    ['a{pod "x"} 1', `expected '=' after label name "pod"`],
    ['a{pod=x} 1', `expected '"' to open the value of label "pod"`],
    ['a{pod="x} 1', `unterminated value of label "pod"`],
    ['a{pod="x\\q"} 1', `invalid escape '\\' followed by 'q' in the value of label "pod"`],
    ['a{pod="x\\', `invalid escape '\\' followed by end of line in the value of label "pod"`],
    ['a{pod="x" b="y"} 1', `expected ',' or '}' after the value of label "pod", found 'b'`],
    ['a{pod="x"', `expected ',' or '}' after the value of label "pod", found end of line`],
    ['a{pod="x",', `missing '}' at the end of the label set`],
    ['a{,} 1', `expected a label name or '}', found ','`],
    ['a{9="x"} 1', `expected a label name or '}', found '9'`],
    ['{a="b"} 1', `expected a metric name, found '{'`],
    ['9a 1', `expected a metric name, found '9'`],
    ['a-b 1', `unexpected '-' in metric name "a"`],
    ['a', `missing value after "a"`],
    ['a{b="c"}', `missing value after "a"`],
    ['a one', `invalid value "one"`],
    ['a 0x10', `invalid value "0x10"`],
    ['a 1e', `invalid value "1e"`],
    ['a -NaN', `invalid value "-NaN"`],
    ['a 1 2.5', `invalid timestamp "2.5"`],
    ['a 1 99999999999999999999', `invalid timestamp "99999999999999999999"`],
    ['a 1 2 3', `unexpected text after the timestamp: "3"`]
  ])('%s', (line, message) => {
    expect(firstError(line)).toBe(message)
  })

  it('counts every invalid line and reports the first with its line number', () => {
    const parsed = parsePromText('ok 1\n\nbad{x} 1\nok 2\nalso bad\n')
    expect(parsed.samples.map((s) => s.value)).toEqual([1, 2])
    expect(parsed.invalid).toEqual({
      count: 2,
      first: { line: 3, message: `expected '=' after label name "x"` }
    })
    expect(parsed.stats).toMatchObject({ lines: 5, samples: 2, blankLines: 1, invalidLines: 2 })
  })

  it('drops a line longer than the limit without holding it, and goes on', () => {
    const samples: number[] = []
    const parser = createPromTextParser({
      onSample: (_n, _l, value) => samples.push(value),
      maxLineBytes: 32
    })
    const long = `a{b="${'x'.repeat(100)}"} 1\n`
    parser.write(Buffer.from('first 1\n'))
    for (const char of long) parser.write(Buffer.from(char))
    parser.write(Buffer.from(`${long}last 2`))
    const stats = parser.end()
    expect(samples).toEqual([1, 2])
    expect(stats.invalidLines).toBe(2)
    expect(stats.firstInvalid).toEqual({ line: 2, message: 'line longer than 32 bytes' })
    expect(stats.lines).toBe(4)
  })
})

describe('parsePromText: comments, blank lines, line ends', () => {
  it('skips HELP, TYPE and other comments, and reports HELP and TYPE', () => {
    const parsed = parsePromText(
      '# HELP a_total Requests, with a \\\\ and a\\nnewline.\n# TYPE a_total counter\n#plain comment\n  # indented\n# HELP\na_total 3\n'
    )
    expect(parsed.samples).toHaveLength(1)
    expect(parsed.help.get('a_total')).toBe('Requests, with a \\ and a\nnewline.')
    expect(parsed.types.get('a_total')).toBe('counter')
    expect(parsed.stats).toMatchObject({ lines: 6, commentLines: 5, samples: 1, invalidLines: 0 })
  })

  it('reads CRLF line ends and a last line without newline', () => {
    const parsed = parsePromText('a{b="c"} 1 10\r\n\r\nd 2\r\ne 3')
    expect(parsed.samples.map((s) => [s.name, s.value, s.timestampMs])).toEqual([
      ['a', 1, 10],
      ['d', 2, null],
      ['e', 3, null]
    ])
    expect(parsed.stats).toMatchObject({ lines: 4, blankLines: 1, invalidLines: 0 })
  })

  it('reads an empty body', () => {
    const parsed = parsePromText('')
    expect(parsed.samples).toEqual([])
    expect(parsed.stats).toMatchObject({ bytes: 0, lines: 0, invalidLines: 0 })
  })

  it('gives the same samples for every split of the input into two chunks', () => {
    const text = '# TYPE a gauge\na{b="x\\"y",c="ü"} 1.5 10\r\nbad{ 1\n\nz 2'
    const whole = parsePromText(text)
    const bytes = Buffer.from(text)
    for (let cut = 0; cut <= bytes.length; cut++) {
      const samples: ParsedSample[] = []
      const parser = createPromTextParser({
        onSample: (name, labels, value, timestampMs) => samples.push({ name, labels, value, timestampMs })
      })
      parser.write(bytes.subarray(0, cut))
      parser.write(bytes.subarray(cut))
      const stats = parser.end()
      expect(samples).toEqual(whole.samples)
      expect(stats.firstInvalid).toEqual({ line: 3, message: `expected a label name or '}', found '1'` })
    }
  })
})
