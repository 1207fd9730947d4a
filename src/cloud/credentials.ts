/**
 * The configured API keys, in order. The client sends the active one; on an authentication failure the
 * key is marked failed, its secret files are read again, and the next key is tried for the same request.
 * Secret files are re-read at most every `refreshMs` so that a rotated file is picked up without a
 * restart. Only names ever leave this module: values stay in the Authorization header.
 */
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { CredentialStatus } from './api.js'
import type { ApiObserver } from './observer.js'

// The same shapes as config/types.ts declares: the client takes them structurally, without depending
// on the configuration.
export type SecretSource = { readonly value: string } | { readonly file: string }

export interface CredentialConfig {
  readonly name: string
  readonly key: SecretSource
  readonly secret: SecretSource
}

export interface ResolvedCredential {
  readonly index: number
  readonly name: string
  /** `Basic base64(key:secret)`. */
  readonly authorization: string
}

export interface CredentialPool {
  readonly size: number
  /** Indexes to try for one request: the active key first, then the others in configured order. */
  order(): number[]
  /** Reads the key and secret (from cache or file); a string is why the credential cannot be used. */
  resolve(index: number): Promise<ResolvedCredential | string>
  succeeded(index: number): void
  authFailed(index: number): void
  /** Every key was refused for one request: no key is working until one succeeds again. */
  allRefused(): void
  statuses(): CredentialStatus[]
}

export interface CredentialPoolDeps {
  credentials: readonly CredentialConfig[]
  readFile: (path: string) => Promise<string>
  clock: Clock
  observer: ApiObserver
  logger: Logger
  /** How long a secret file's content is trusted before it is read again. */
  refreshMs?: number
}

interface FileCache {
  value: string
  readAt: number
}

interface State {
  lastOutcome: 'ok' | 'auth_failed' | null
  lastFailureAt: number | null
}

export const DEFAULT_SECRET_REFRESH_MS = 5_000

export function createCredentialPool(deps: CredentialPoolDeps): CredentialPool {
  const refreshMs = deps.refreshMs ?? DEFAULT_SECRET_REFRESH_MS
  const files = new Map<string, FileCache>()
  const states: State[] = deps.credentials.map(() => ({ lastOutcome: null, lastFailureAt: null }))
  let active = 0

  let noneWorking = false
  const publishActive = (): void => {
    deps.credentials.forEach((credential, index) => {
      const working = index === active && !noneWorking
      deps.observer.credentialActive(credential.name, working)
    })
  }
  publishActive()
  for (const credential of deps.credentials) deps.observer.credentialKnown(credential.name)

  const readSource = async (source: SecretSource): Promise<string> => {
    if ('value' in source) return source.value
    const cached = files.get(source.file)
    if (cached !== undefined && deps.clock.now() - cached.readAt < refreshMs) return cached.value
    // Files mounted from secret stores usually end with a newline that is not part of the value.
    const value = (await deps.readFile(source.file)).trim()
    files.set(source.file, { value, readAt: deps.clock.now() })
    return value
  }

  const isStale = (source: SecretSource): boolean => {
    if ('value' in source) return false
    const cached = files.get(source.file)
    return cached === undefined || deps.clock.now() - cached.readAt >= refreshMs
  }

  const forgetFiles = (credential: CredentialConfig): void => {
    for (const source of [credential.key, credential.secret]) if ('file' in source) files.delete(source.file)
  }

  return {
    size: deps.credentials.length,
    order() {
      const indexes = deps.credentials.map((_credential, index) => index)
      return [...indexes.slice(active), ...indexes.slice(0, active)]
    },
    async resolve(index) {
      const credential = deps.credentials[index]
      if (credential === undefined) return 'no such credential'
      let key: string
      let secret: string
      // A key and its secret are read again together: a rotated pair is never half new. A refused key's
      // files are read again each time it is tried, until it is accepted.
      if (
        states[index]?.lastOutcome === 'auth_failed' ||
        isStale(credential.key) ||
        isStale(credential.secret)
      )
        forgetFiles(credential)
      try {
        key = await readSource(credential.key)
        secret = await readSource(credential.secret)
      } catch (error) {
        const code = (error as { code?: unknown }).code
        const why = `cannot read its key or secret file (${typeof code === 'string' ? code : 'error'})`
        deps.logger.warn({ credential: credential.name }, `API credential ${credential.name} ${why}`)
        return why
      }
      if (key === '' || secret === '') return 'its key or secret is empty'
      if (key.includes(':')) return 'its key contains ":", which Basic authentication cannot carry'
      const authorization = `Basic ${Buffer.from(`${key}:${secret}`, 'utf8').toString('base64')}`
      return { index, name: credential.name, authorization }
    },
    succeeded(index) {
      const state = states[index]
      if (state === undefined) return
      state.lastOutcome = 'ok'
      if (noneWorking) {
        noneWorking = false
        if (index === active) publishActive()
      }
      if (index !== active) {
        const previous = deps.credentials[active]?.name
        active = index
        deps.observer.credentialFailover()
        publishActive()
        deps.logger.warn(
          { credential: deps.credentials[index]?.name, previous },
          'switched to another CrateDB Cloud API key after an authentication failure'
        )
      }
    },
    authFailed(index) {
      const credential = deps.credentials[index]
      const state = states[index]
      if (credential === undefined || state === undefined) return
      state.lastOutcome = 'auth_failed'
      state.lastFailureAt = deps.clock.now()
      // Its files are read again by the next resolve(): lastOutcome says so.
      deps.observer.credentialRefused(credential.name)
      deps.logger.warn(
        { code: 'CCE_API_AUTH', credential: credential.name },
        `CrateDB Cloud API key ${credential.name} was refused`
      )
    },
    allRefused() {
      if (noneWorking) return
      noneWorking = true
      publishActive()
    },
    statuses() {
      return deps.credentials.map((credential, index) => ({
        name: credential.name,
        active: index === active,
        lastOutcome: states[index]?.lastOutcome ?? null,
        lastFailureAt: states[index]?.lastFailureAt ?? null
      }))
    }
  }
}
