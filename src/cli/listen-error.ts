/**
 * A server that cannot listen (address in use, not on this machine, a privileged port) is a problem of
 * the command line, not a crash: one line that names the address and the flag that sets it, exit code 2.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError'
  readonly code = 'CCE_LISTEN'
}

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EADDRNOTAVAIL: 'the address is not one of this machine',
  EACCES: 'permission denied (ports below 1024 need privileges)'
}

interface SystemError extends Error {
  readonly code?: unknown
  readonly syscall?: unknown
  readonly address?: unknown
  readonly port?: unknown
}

/** `start`, where a failed listen becomes a ListenError naming `flag`; anything else is rethrown. */
export function explainListen<A extends unknown[], T>(
  flag: string,
  start: (...args: A) => Promise<T>
): (...args: A) => Promise<T> {
  return async (...args) => {
    try {
      return await start(...args)
    } catch (error) {
      throw toListenError(error, flag)
    }
  }
}

function toListenError(error: unknown, flag: string): unknown {
  const failure = error as SystemError
  const reason = typeof failure.code === 'string' ? REASONS[failure.code] : undefined
  if (failure.syscall !== 'listen' || reason === undefined) return error
  const host = String(failure.address)
  const address = `${host.includes(':') ? `[${host}]` : host}:${String(failure.port)}`
  return new ListenError(`cannot listen on ${address}: ${reason}; choose another with ${flag}=HOST:PORT`, {
    cause: error
  })
}
