import { Agent as UndiciAgent, Dispatcher, MockAgent } from 'undici'
import { describe, expect, it } from 'vitest'
import { Agent, dispatcherRequest, request } from '../../../src/cloud/agent.js'

describe("undici's parts, loaded from their own files", () => {
  it('Agent is the class that undici exports', async () => {
    expect(Agent).toBe(UndiciAgent)
    const agent = new Agent({ connections: 1 })
    expect(agent).toBeInstanceOf(UndiciAgent)
    await agent.close()
  })

  it("request is undici's dispatcher.request, and works on any dispatcher", async () => {
    expect(dispatcherRequest).toBe(Reflect.get(Dispatcher.prototype, 'request'))
    const mock = new MockAgent()
    mock.disableNetConnect()
    mock.get('http://127.0.0.1:9').intercept({ path: '/x', method: 'GET' }).reply(200, 'answer')
    const response = await request(mock, { origin: 'http://127.0.0.1:9', path: '/x', method: 'GET' })
    expect(response.statusCode).toBe(200)
    expect(await response.body.text()).toBe('answer')
    mock.assertNoPendingInterceptors()
    await mock.close()
  })
})
