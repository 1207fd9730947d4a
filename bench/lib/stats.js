// Small statistics and formatting helpers shared by the benchmark sections.
import { setTimeout } from 'node:timers'
import process from 'node:process'

export const MB = 1024 * 1024

export function median(values) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Wall-clock seconds since `started` (a process.hrtime.bigint()). */
export function secondsSince(started) {
  return Number(process.hrtime.bigint() - started) / 1e9
}

export const now = () => process.hrtime.bigint()

/** CPU seconds of this process (user + system): steadier than wall time on a shared machine. */
export function cpuSeconds() {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

export function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

export function ms(seconds, digits = 1) {
  return Number.isFinite(seconds) ? `${(seconds * 1000).toFixed(digits)} ms` : 'n/a'
}

export function mib(bytes, digits = 1) {
  return Number.isFinite(bytes) ? `${(bytes / MB).toFixed(digits)} MiB` : 'n/a'
}

export function ratio(value, digits = 2) {
  return Number.isFinite(value) ? `${value.toFixed(digits)}×` : 'n/a'
}

/** "met" / "MISSED" for a goal; "n/a" when the figure is missing. */
export function verdict(ok) {
  if (ok === null || ok === undefined) return 'n/a'
  return ok ? 'met' : 'MISSED'
}

export const sleep = (msToWait) => new Promise((resolve) => setTimeout(resolve, msToWait))
