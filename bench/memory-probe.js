// Where a process's memory is at its RSS peak: load with
//   NODE_OPTIONS="--import=./bench/memory-probe.js" node dist/cli.js run ...
// Samples process.memoryUsage() every 20 ms and writes one line to stderr every 5 s: the current figures
// and those of the sample with the highest RSS so far (JS heap, external memory, ArrayBuffers, the
// young generation). Figures in MiB.
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'
import v8 from 'node:v8'

const MIB = 1024 * 1024
const started = Date.now()
const mib = (bytes) => Math.round(bytes / MIB)

function reading() {
  const usage = process.memoryUsage()
  const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
  return {
    atSeconds: Math.round((Date.now() - started) / 100) / 10,
    rss: mib(usage.rss),
    heapTotal: mib(usage.heapTotal),
    heapUsed: mib(usage.heapUsed),
    external: mib(usage.external),
    arrayBuffers: mib(usage.arrayBuffers),
    newSpace: mib(newSpace?.space_size ?? 0)
  }
}

let peak = reading()
const sampler = setInterval(() => {
  if (process.memoryUsage.rss() / MIB > peak.rss) peak = reading()
}, 20)
sampler.unref()
const reporter = setInterval(() => {
  process.stderr.write(`memory-probe ${JSON.stringify({ now: reading(), peak })}\n`)
}, 5000)
reporter.unref()
process.once('exit', () => {
  clearInterval(sampler)
  clearInterval(reporter)
})
