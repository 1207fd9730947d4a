import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js'

export type { RunningSimulator }

/** A simulator on 127.0.0.1, ephemeral port, for tests. Close it in afterAll/afterEach. */
export async function startTestSimulator(
  options: Omit<SimulatorOptions, 'host' | 'port'> = {}
): Promise<RunningSimulator> {
  return startSimulator({ seed: 42, ...options, host: '127.0.0.1', port: 0 })
}

/** The first credential the simulator accepts, and its Authorization header value. */
export function firstCredential(simulator: RunningSimulator): {
  key: string
  secret: string
  authorization: string
} {
  const credential = simulator.state.credentials()[0]
  if (credential === undefined) throw new Error('the simulator has no credential')
  const authorization = `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`
  return { key: credential.key, secret: credential.secret, authorization }
}
