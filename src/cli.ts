#!/usr/bin/env node
/**
 * Composition root: the only module that reads process.env and process.argv, installs signal handlers
 * and sets the exit code. Each command lives in src/commands/, their dispatch in src/cli/program.ts.
 *
 * The program's modules are loaded only once the garbage collector's settings are made
 * (src/cli/heap-tuning.ts): the young generation grows while they load, and a setting made after
 * that no longer keeps it small.
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { applyHeapTuning } from './cli/heap-tuning.js'
import { PROGRAM, type CommandIo } from './cli/io.js'

export async function main(argv: readonly string[], io: Omit<CommandIo, 'argv'>): Promise<number> {
  const program = await import('./cli/program.js')
  return program.main(argv, io)
}

function installSignals(): AbortSignal {
  const controller = new AbortController()
  let signals = 0
  const onSignal = (name: NodeJS.Signals): void => {
    signals++
    if (signals > 1) {
      process.stderr.write(`${PROGRAM}: second ${name}, exiting now\n`)
      process.exit(1)
    }
    controller.abort(new Error(`received ${name}`))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return controller.signal
}

// Through npm's bin symlink argv[1] is the link, so compare real paths.
const isEntryPoint =
  process.argv[1] !== undefined && realpathOrSelf(process.argv[1]) === fileURLToPath(import.meta.url)

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

if (isEntryPoint) {
  applyHeapTuning(process.execArgv, process.env['NODE_OPTIONS'])
  // The process's only WebAssembly is undici's HTTP parser (llhttp). V8 compiles it first with its
  // baseline compiler, then again with its optimizing one once it is hot, which takes about 35 MiB for a
  // moment: the exporter's peak memory. Bodies pass through the parser as spans, so the baseline code
  // reads a 100 MiB body as fast (measured); V8 reads the flag when it compiles the module.
  setFlagsFromString('--liftoff-only')
  main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    shutdownSignal: installSignals(),
    isTty: process.stderr.isTTY
  }).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(
        `${PROGRAM}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
      )
      process.exitCode = 1
    }
  )
}
