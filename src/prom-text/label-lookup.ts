import { LABEL_SLOTS, type LineScanner, labelValue } from './line-scanner.js'

/** Index of the label named `name` (ASCII bytes) in the line last scanned, or -1; no string is made. */
export function findLabel(scanner: LineScanner, buf: Buffer, name: Uint8Array): number {
  const labels = scanner.labels
  const length = name.length
  for (let index = 0; index < scanner.labelCount; index++) {
    const slot = index * LABEL_SLOTS
    const start = labels[slot]!
    if (labels[slot + 1]! - start !== length) continue
    let k = 0
    while (k < length && buf[start + k] === name[k]) k++
    if (k === length) return index
  }
  return -1
}

/** Whether label `index` of the line last scanned has exactly the value `expected` (UTF-8 bytes). */
export function labelValueIs(scanner: LineScanner, buf: Buffer, index: number, expected: Buffer): boolean {
  if (index < 0) return false
  if (scanner.escaped[index] === 1) return labelValue(scanner, buf, index) === expected.toString('utf8')
  const slot = index * LABEL_SLOTS
  const start = scanner.labels[slot + 2]!
  const length = expected.length
  if (scanner.labels[slot + 3]! - start !== length) return false
  let k = 0
  while (k < length && buf[start + k] === expected[k]) k++
  return k === length
}
