/** Pod names of CrateDB nodes: crate-<role>-<cluster uuid>-<ordinal>, e.g. crate-data-hot-<uuid>-0. */

export interface CratePod {
  readonly clusterId: string
  /** `<role>-<ordinal>`, e.g. "data-hot-0". */
  readonly node: string
}

const PREFIX = 'crate-'
const UUID_LENGTH = 36
const MAX_ORDINAL_DIGITS = 6

/** The cluster and node of a CrateDB node pod, or null for any other pod (operator, backup, sidecars). */
export function parseCratePod(pod: string): CratePod | null {
  if (!pod.startsWith(PREFIX)) return null
  const lastDash = pod.lastIndexOf('-')
  const ordinalLength = pod.length - lastDash - 1
  if (ordinalLength < 1 || ordinalLength > MAX_ORDINAL_DIGITS || !isDigits(pod, lastDash + 1, pod.length))
    return null
  const uuidStart = lastDash - UUID_LENGTH
  // The role needs at least one character between "crate-" and the '-' before the uuid.
  if (uuidStart - 1 <= PREFIX.length || pod.charCodeAt(uuidStart - 1) !== 0x2d) return null
  if (!isClusterUuid(pod, uuidStart)) return null
  const role = pod.slice(PREFIX.length, uuidStart - 1)
  if (!isRole(role)) return null
  return { clusterId: pod.slice(uuidStart, lastDash), node: `${role}-${pod.slice(lastDash + 1)}` }
}

/** 36 characters, lowercase hex in groups 8-4-4-4-12. */
export function isClusterUuid(text: string, start = 0): boolean {
  if (text.length - start < UUID_LENGTH) return false
  for (let k = 0; k < UUID_LENGTH; k++) {
    const c = text.charCodeAt(start + k)
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 0x2d) return false
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) {
      return false
    }
  }
  return true
}

function isDigits(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/** Lowercase words joined by single dashes: "data-hot", "master". */
function isRole(role: string): boolean {
  if (role.length === 0 || role.startsWith('-') || role.endsWith('-') || role.includes('--')) return false
  for (let k = 0; k < role.length; k++) {
    const c = role.charCodeAt(k)
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return false
  }
  return true
}
