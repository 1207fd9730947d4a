import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli.js'

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done())
  })
  return { stream, text: () => text }
}

describe('demo', () => {
  it('listens on 127.0.0.1:9863 when no address is given', async () => {
    const stdout = sink()
    const stderr = sink()
    const shutdown = new AbortController()
    const ended = main(['demo', '--log.level=error'], {
      env: {},
      stdout: stdout.stream,
      stderr: stderr.stream,
      shutdownSignal: shutdown.signal,
      isTty: false
    })
    let code: number | undefined
    void ended.then((value) => (code = value))
    for (let i = 0; i < 400 && code === undefined && !stdout.text().includes('Status as JSON'); i++)
      await new Promise((resolve) => setTimeout(resolve, 25))
    shutdown.abort()
    const finalCode = await ended
    // Port 9863 may be taken on a shared machine: then the refusal names the same loopback address.
    if (finalCode === 2)
      expect(stderr.text()).toContain(
        '[CCE_LISTEN] cannot listen on 127.0.0.1:9863: the address is already in use'
      )
    else {
      expect(finalCode).toBe(0)
      expect(stdout.text()).toContain('Exporter status page:     http://127.0.0.1:9863/')
    }
  })
})
