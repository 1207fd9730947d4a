import { createServer } from 'node:net'

/** A free TCP port on 127.0.0.1 (for programs such as Prometheus that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A port on 127.0.0.1 kept busy until `release`, as `host:port` (for what must fail to listen). */
export async function holdPort(): Promise<{ address: string; release(): Promise<void> }> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const bound = server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : 0
  return {
    address: `127.0.0.1:${port}`,
    release: () => new Promise<void>((done) => server.close(() => done()))
  }
}
