import { describe, expect, it } from 'vitest'
import {
  buildSimulatorApp,
  createSimulatorClock,
  createSimulatorState
} from '../../../src/simulator/index.js'

describe('simulator index at /', () => {
  it('answers without credentials with what it is and the routes it serves', async () => {
    const state = createSimulatorState({ seed: 1, clock: createSimulatorClock({ manual: true, startMs: 0 }) })
    const app = buildSimulatorApp(state, { adminToken: 't' })
    const response = await app.inject({ url: '/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    const body = response.json<{ name: string; about: string; routes: string[] }>()
    expect(body.name).toMatch(/simulator/)
    expect(body.routes).toContain('GET /api/v2/organizations/')
    expect(body.routes).toContain('GET /api/v2/organizations/:organization_id/metrics/prometheus/')
    expect(body.routes).toContain('GET /_simulator/state')
    expect(body.routes).not.toContain('GET /')
    // Other unknown paths still get the API's 404 body.
    expect((await app.inject({ url: '/no-such-page' })).statusCode).toBe(404)
    expect(state.apiRequestCount()).toBe(0)
    await app.close()
  })
})
