import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFaultRule } from '../../../src/simulator/index.js'
import { firstCredential, startTestSimulator, type RunningSimulator } from '../../helpers/simulator.js'

describe('simulator faults over a real socket', () => {
  let sim: RunningSimulator
  let authorization: string
  let orgId: string
  beforeAll(async () => {
    sim = await startTestSimulator()
    authorization = firstCredential(sim).authorization
    orgId = sim.state.organizations()[0]!.id
  })
  afterAll(async () => {
    await sim.close()
  })
  const get = (path: string) => request(`${sim.url}${path}`, { headers: { authorization } })
  const ME = '/api/v2/users/me/'

  it('plays a sequence once, then lets requests pass', async () => {
    sim.state.setFaults([parseFaultRule(`${ME}=503,429:7,pass,500`)])
    const statuses: number[] = []
    const retryAfter: unknown[] = []
    for (let i = 0; i < 5; i++) {
      const response = await get(ME)
      statuses.push(response.statusCode)
      retryAfter.push(response.headers['retry-after'])
      await response.body.text()
    }
    expect(statuses).toEqual([503, 429, 200, 500, 200])
    expect(retryAfter[1]).toBe('7')
  })

  it('answers 403 as the API does, 429 without Retry-After, and a 302 to another origin', async () => {
    sim.state.setFaults([parseFaultRule(`${ME}=403,429:none,redirect:http://127.0.0.1:9/login`)])
    const forbidden = await get(ME)
    expect(forbidden.statusCode).toBe(403)
    expect(await forbidden.body.json()).toEqual({ message: 'Permission denied for user.', success: false })
    const throttled = await get(ME)
    expect(throttled.statusCode).toBe(429)
    expect(throttled.headers['retry-after']).toBeUndefined()
    await throttled.body.text()
    const moved = await get(ME)
    expect(moved.statusCode).toBe(302)
    expect(moved.headers['location']).toBe('http://127.0.0.1:9/login')
    await moved.body.text()
    const passed = await get(ME)
    expect(passed.statusCode).toBe(200)
    await passed.body.text()
  })

  it('matches route templates with parameters, and path regexes', async () => {
    sim.state.setFaults([
      parseFaultRule('/api/v2/organizations/{organization_id}/=*502'),
      parseFaultRule('~/quotas/$=504')
    ])
    const org = await get(`/api/v2/organizations/${orgId}/`)
    expect(org.statusCode).toBe(502)
    await org.body.text()
    const quotas = await get(`/api/v2/organizations/${orgId}/quotas/`)
    expect(quotas.statusCode).toBe(504)
    await quotas.body.text()
    const list = await get('/api/v2/organizations/')
    expect(list.statusCode).toBe(200)
    await list.body.text()
  })

  it('resets the connection', async () => {
    sim.state.setFaults([parseFaultRule(`${ME}=reset`)])
    await expect(get(ME).then((r) => r.body.text())).rejects.toThrow()
  })

  it('sends a body shorter than its Content-Length', async () => {
    sim.state.setFaults([parseFaultRule(`${ME}=truncate`)])
    await expect(get(ME).then((r) => r.body.text())).rejects.toThrow()
  })

  it('truncates the streamed org-metrics body too', async () => {
    sim.state.setFaults([
      parseFaultRule('/api/v2/organizations/{organization_id}/metrics/prometheus/=truncate')
    ])
    await expect(
      get(`/api/v2/organizations/${orgId}/metrics/prometheus/`).then((r) => r.body.text())
    ).rejects.toThrow()
  })

  it('answers the org-metrics endpoint with a 200 that holds no data: garbage, empty, HTML, cut in a line', async () => {
    sim.state.settings.rateLimitWindowMs = 0
    const M = `/api/v2/organizations/${orgId}/metrics/prometheus/`
    sim.state.setFaults([
      parseFaultRule(
        '/api/v2/organizations/{organization_id}/metrics/prometheus/=garbage,empty,html,cut-line'
      )
    ])
    const answers: { status: number; type: string; length: string; body: string }[] = []
    for (let i = 0; i < 5; i++) {
      const response = await get(M)
      answers.push({
        status: response.statusCode,
        type: String(response.headers['content-type']),
        length: String(response.headers['content-length']),
        body: await response.body.text()
      })
    }
    sim.state.settings.rateLimitWindowMs = 60_000
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
    expect(answers[0]!.body).toBe('this is { not valid\n%%% neither is this\n')
    expect(answers[1]!.body).toBe('')
    expect(answers[2]!.type).toContain('text/html')
    expect(answers[2]!.body).toContain('<html>')
    const [cut, whole] = [answers[3]!, answers[4]!]
    expect(cut.length).toBe(String(Buffer.byteLength(cut.body)))
    expect(cut.body.length).toBeGreaterThan(whole.body.length / 3)
    expect(cut.body.endsWith('\n')).toBe(false)
    expect(whole.body.endsWith('\n')).toBe(true)
  })

  it('sends malformed JSON, an oversize body, a 204, and adds latency', async () => {
    sim.state.setFaults([parseFaultRule(`${ME}=malformed,oversize:3000000,204,latency:300`)])
    const malformed = await get(ME)
    expect(malformed.statusCode).toBe(200)
    const text = await malformed.body.text()
    expect(() => JSON.parse(text) as unknown).toThrow()
    const oversize = await get(ME)
    expect((await oversize.body.arrayBuffer()).byteLength).toBeGreaterThan(3_000_000)
    const empty = await get(ME)
    expect(empty.statusCode).toBe(204)
    await empty.body.text()
    const started = Date.now()
    const slow = await get(ME)
    await slow.body.text()
    expect(Date.now() - started).toBeGreaterThanOrEqual(280)
  })

  it('sends a body slowly, chunk by chunk', async () => {
    sim.state.setFaults([parseFaultRule(`${ME}=slow:50`)])
    const started = Date.now()
    const response = await get(ME)
    const body = await response.body.text()
    expect(JSON.parse(body)).toHaveProperty('email')
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })

  it('applies probabilities deterministically from the seed, and is set through the admin API', async () => {
    const put = await request(`${sim.url}/_simulator/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sim.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [`${ME}=50%:500`] })
    })
    expect(put.statusCode).toBe(200)
    await put.body.text()
    let failures = 0
    for (let i = 0; i < 40; i++) {
      const response = await get(ME)
      if (response.statusCode === 500) failures++
      await response.body.text()
    }
    expect(failures).toBeGreaterThan(8)
    expect(failures).toBeLessThan(32)
    sim.state.setFaults([])
  })
})
