/**
 * Number parsing straight from bytes. Values follow Go's strconv.ParseFloat as Prometheus uses it
 * (decimal, optional sign and exponent, NaN, Inf, +Inf, -Inf, Infinity, any case), timestamps
 * strconv.ParseInt (optional sign, decimal digits, int64).
 */

/** Exact powers of ten: with at most 15 significant digits, m * 10^k and m / 10^k round correctly. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16
].concat([1e17, 1e18, 1e19, 1e20, 1e21, 1e22])
const MAX_FAST_DIGITS = 15
const MAX_FAST_EXPONENT = 22

/** The value in buf[start, end), or undefined when it is not a valid sample value. */
export function parseValue(buf: Buffer, start: number, end: number): number | undefined {
  let i = start
  let negative = false
  let c = buf[i]
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d
    i++
    c = buf[i]
  }
  if (i >= end) return undefined
  if (c === undefined || c > 0x39 || (c < 0x30 && c !== 0x2e))
    return parseSpecial(buf, i, end, negative, i > start)

  let mantissa = 0
  let digits = 0
  let anyDigit = false
  let exponent = 0
  let seenPoint = false
  for (; i < end; i++) {
    c = buf[i]!
    if (c >= 0x30 && c <= 0x39) {
      anyDigit = true
      if (digits === 0 && c === 0x30) {
        if (seenPoint) exponent--
        continue
      }
      digits++
      mantissa = mantissa * 10 + (c - 0x30)
      if (seenPoint) exponent--
    } else if (c === 0x2e && !seenPoint) {
      seenPoint = true
    } else break
  }
  if (!anyDigit) return undefined
  if (i < end) {
    if ((c !== 0x65 && c !== 0x45) || ++i >= end) return undefined
    let expNegative = false
    c = buf[i]!
    if (c === 0x2d || c === 0x2b) {
      expNegative = c === 0x2d
      if (++i >= end) return undefined
    }
    let exp = 0
    for (; i < end; i++) {
      c = buf[i]!
      if (c < 0x30 || c > 0x39) return undefined
      if (exp < 100_000) exp = exp * 10 + (c - 0x30)
    }
    exponent += expNegative ? -exp : exp
  }
  let result: number
  if (digits <= MAX_FAST_DIGITS && exponent >= -MAX_FAST_EXPONENT && exponent <= MAX_FAST_EXPONENT) {
    result = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!
  } else {
    // Too many digits for the exact fast path: let the engine round (it parses the same grammar).
    result = Math.abs(Number(buf.toString('latin1', start, end)))
  }
  return negative ? -result : result
}

function parseSpecial(
  buf: Buffer,
  start: number,
  end: number,
  negative: boolean,
  signed: boolean
): number | undefined {
  const length = end - start
  if (length !== 3 && length !== 8) return undefined
  const word = buf.toString('latin1', start, end).toLowerCase()
  if (word === 'inf' || word === 'infinity') return negative ? -Infinity : Infinity
  if (word === 'nan' && !signed) return NaN
  return undefined
}

const MAX_TIMESTAMP_DIGITS = 19
const INT64_LIMIT = 2 ** 63

/** The timestamp in buf[start, end) (milliseconds), or undefined when it is not an integer. */
export function parseTimestamp(buf: Buffer, start: number, end: number): number | undefined {
  let i = start
  const first = buf[i]
  const negative = first === 0x2d
  if (negative || first === 0x2b) i++
  if (i >= end || end - i > MAX_TIMESTAMP_DIGITS) return undefined
  let result = 0
  for (; i < end; i++) {
    const c = buf[i]!
    if (c < 0x30 || c > 0x39) return undefined
    result = result * 10 + (c - 0x30)
  }
  if (result >= INT64_LIMIT) return undefined
  return negative ? -result : result
}
