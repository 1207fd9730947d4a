/**
 * Number parsing straight from bytes, in the same pass that finds where the number ends. Values follow
 * Go's strconv.ParseFloat as Prometheus uses it (decimal, optional sign and exponent, NaN, Inf, +Inf,
 * -Inf, Infinity, any case), timestamps strconv.ParseInt (optional sign, decimal digits, int64).
 */

/** Exact powers of ten: with at most 15 significant digits, m * 10^k and m / 10^k round correctly. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22
]
const MAX_FAST_DIGITS = 15
const MAX_FAST_EXPONENT = 22
const MAX_TIMESTAMP_DIGITS = 19
const INT64_LIMIT = 2 ** 63

/** Where a parsed number goes (the line scanner itself, so that nothing is allocated). */
export interface NumberTarget {
  value: number
  timestampMs: number | null
}

/** A token ends at a space, a tab or the end of the line. */
function endsToken(buf: Buffer, i: number, end: number): boolean {
  if (i >= end) return true
  const c = buf[i]
  return c === 0x20 || c === 0x09
}

/**
 * Reads the sample value that starts at `start` into `target.value`; returns the offset just after it,
 * or -1 when the token there is not a valid value.
 */
export function readValue(buf: Buffer, start: number, end: number, target: NumberTarget): number {
  let i = start
  let negative = false
  let c = buf[i]!
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d
    if (++i >= end) return -1
    c = buf[i]!
  }
  if (c > 0x39 || (c < 0x30 && c !== 0x2e)) return readSpecial(buf, i, end, negative, i > start, target)

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
  if (!anyDigit) return -1
  if (i < end && (c === 0x65 || c === 0x45)) {
    if (++i >= end) return -1
    let expNegative = false
    c = buf[i]!
    if (c === 0x2d || c === 0x2b) {
      expNegative = c === 0x2d
      if (++i >= end) return -1
    }
    const expStart = i
    let exp = 0
    for (; i < end; i++) {
      c = buf[i]!
      if (c < 0x30 || c > 0x39) break
      if (exp < 100_000) exp = exp * 10 + (c - 0x30)
    }
    if (i === expStart) return -1
    exponent += expNegative ? -exp : exp
  }
  if (!endsToken(buf, i, end)) return -1
  let result: number
  if (digits <= MAX_FAST_DIGITS && exponent >= -MAX_FAST_EXPONENT && exponent <= MAX_FAST_EXPONENT) {
    result = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!
  } else {
    // Too many digits for the exact fast path: the engine rounds correctly (same decimal grammar).
    result = Math.abs(Number(buf.toString('latin1', start, i)))
  }
  target.value = negative ? -result : result
  return i
}

function readSpecial(
  buf: Buffer,
  start: number,
  end: number,
  negative: boolean,
  signed: boolean,
  target: NumberTarget
): number {
  let i = start
  while (i < end && i - start <= 8 && !endsToken(buf, i, end)) i++
  const length = i - start
  if ((length !== 3 && length !== 8) || !endsToken(buf, i, end)) return -1
  const word = buf.toString('latin1', start, i).toLowerCase()
  if (word === 'inf' || word === 'infinity') target.value = negative ? -Infinity : Infinity
  else if (word === 'nan' && !signed) target.value = NaN
  else return -1
  return i
}

/**
 * Reads the timestamp (milliseconds, an integer) that starts at `start` into `target.timestampMs`;
 * returns the offset just after it, or -1 when the token there is not a valid timestamp.
 */
export function readTimestamp(buf: Buffer, start: number, end: number, target: NumberTarget): number {
  let i = start
  const first = buf[i]
  const negative = first === 0x2d
  if (negative || first === 0x2b) i++
  const digitsStart = i
  let result = 0
  for (; i < end; i++) {
    const c = buf[i]!
    if (c < 0x30 || c > 0x39) break
    result = result * 10 + (c - 0x30)
  }
  const digits = i - digitsStart
  if (digits === 0 || digits > MAX_TIMESTAMP_DIGITS || result >= INT64_LIMIT || !endsToken(buf, i, end))
    return -1
  target.timestampMs = negative ? -result : result
  return i
}
