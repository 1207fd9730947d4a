/** Values as the real endpoint prints them: always a float (`0.0`, `2298281984.0`, `1219.730375`). */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return Math.abs(value) < 1e21 ? `${value}.0` : String(value)
  return String(value)
}

/** A counter that grows steadily with the node's age, from a node-specific start. */
export function grow(ageS: number, weight: number, perSecond: number, salt: number): number {
  return Math.floor(perSecond * weight * ageS + ((salt * 7919 * (weight + 0.1)) % 100000))
}

/** A label value as the text format writes it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
}
