// wrk runs and the parsing of their report.
import { spawn } from 'node:child_process'

const UNITS = { us: 1e-6, ms: 1e-3, s: 1, m: 60 }

function seconds(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text)
  return match === null ? NaN : Number(match[1]) * UNITS[match[2]]
}

/** Requests/s, p50 and p99 latency (seconds), errors, from wrk's output with --latency. */
export function parseWrk(output) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN)
  const p50 = seconds(/^\s+50%\s+(\S+)/m.exec(output)?.[1] ?? '')
  const p99 = seconds(/^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? '')
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
  return { rps, p50, p99, errors: non2xx + socketErrors }
}

/** Runs wrk (1 thread, keep-alive) against `url`; resolves the parsed report and the raw output. */
export function runWrk(wrk, url, { connections, seconds: duration, gzip }) {
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '--timeout', '5s']
  if (gzip) args.push('-H', 'Accept-Encoding: gzip')
  return new Promise((resolve, reject) => {
    const child = spawn(wrk, [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`wrk exited ${code}:\n${output}`))
      else resolve({ ...parseWrk(output), output, command: `wrk ${args.join(' ')} ${url}` })
    })
  })
}
