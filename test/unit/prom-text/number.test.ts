import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type NumberTarget, readTimestamp, readValue } from '../../../src/prom-text/number.js'

/** The number read from `text` followed by `tail`, or undefined when invalid; checks where reading stopped. */
function readWith(
  reader: typeof readValue,
  text: string,
  field: keyof NumberTarget,
  tail = ''
): number | null | undefined {
  const target: NumberTarget = { value: -12345, timestampMs: -12345 }
  const end = reader(Buffer.from(text + tail, 'latin1'), 0, text.length + tail.length, target)
  if (end === -1) return undefined
  expect(end).toBe(text.length)
  return target[field]
}

const value = (text: string, tail = ''): number | null | undefined => readWith(readValue, text, 'value', tail)

/** Decimal numbers as the Prometheus text format writes them: sign, digits, fraction, exponent. */
const decimal = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    fc.stringMatching(/^[0-9]{0,20}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,20}$/)),
    fc.option(
      fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 400 }))
    )
  )
  .filter(([, whole, fraction]) => whole.length + (fraction ?? '').length > 0)
  .map(([sign, whole, fraction, exponent]) => {
    const point = fraction === null ? '' : `.${fraction}`
    const exp = exponent === null ? '' : `${exponent[0]}${exponent[1]}${exponent[2]}`
    return `${sign}${whole}${point}${exp}`
  })

describe('parseValue', () => {
  it('gives exactly what Number() gives for any decimal number', () => {
    fc.assert(
      fc.property(decimal, (text) => {
        expect(Object.is(value(text), Number(text))).toBe(true)
        expect(Object.is(value(text, ' 17'), Number(text))).toBe(true)
        expect(Object.is(value(text, '\t'), Number(text))).toBe(true)
      }),
      { numRuns: 5000 }
    )
  })

  it('reads doubles printed by JavaScript back to the same double', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true }).filter((double) => !Object.is(double, -0)),
        (double) => {
          expect(value(String(double))).toBe(double)
        }
      ),
      { numRuns: 5000 }
    )
  })

  it.each([
    '',
    '-',
    '+',
    '.',
    '-.',
    'e5',
    '1e',
    '1e+',
    '1.2.3',
    '1_000',
    '0x1p3',
    '--1',
    '1-',
    'NaN1',
    'in',
    '+nan',
    '1x',
    '1e5x',
    'Infinityy'
  ])('rejects %j', (text) => {
    expect(value(text)).toBeUndefined()
  })
})

describe('parseTimestamp', () => {
  const timestamp = (text: string, tail = ''): number | null | undefined =>
    readWith(readTimestamp, text, 'timestampMs', tail)

  it('reads integers, signed or not', () => {
    expect(timestamp('1778668448190')).toBe(1778668448190)
    expect(timestamp('-5')).toBe(-5)
    expect(timestamp('+7')).toBe(7)
    expect(timestamp('0')).toBe(0)
    expect(timestamp('12', ' ')).toBe(12)
  })

  it.each(['', '-', '1.0', '1e3', '12a', '9223372036854775808', '12345678901234567890'])(
    'rejects %j',
    (text) => {
      expect(timestamp(text)).toBeUndefined()
    }
  )
})
