// nginx as the local static file server: the org payloads for the exporter and Prometheus, and the
// exposition body for the serving comparison.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { start, waitForHttp } from './processes.js'

/** A free loopback port (there is a small window in which another process could take it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * A paced server sends at most this many milliseconds' worth of bytes at once, then waits that long
 * (nginx's delay is whole milliseconds: a chunk of a round number of them keeps the rate exact).
 */
const PACED_CHUNK_MS = 4
/**
 * A paced server's socket send buffer. nginx paces what it writes into the socket; on a WAN link the
 * bytes in flight and the receiver's buffer (autotuned to about twice the bandwidth-delay product, some
 * MiB at these rates) absorb a short stall of the reader. On loopback the receiver's window stays small,
 * so this buffer stands in for them: a pause of the reader does not stop the sender's clock.
 */
const PACED_SNDBUF = '4m'

/**
 * Starts nginx (one worker, keep-alive, sendfile, precompressed .gz files served as they are) on
 * 127.0.0.1 serving `root`; directories answer with their index.json or index.prom. Each of
 * `pacedBitsPerSecond` adds a server of the same files sent at that rate (`limit_rate`, in chunks of
 * 4 ms: a steady stream like a WAN link's rather than bursts of megabytes).
 * Returns { url, paced: Map(bits per second -> url), stop() }.
 */
export async function startNginx(nginx, root, workDir, { pacedBitsPerSecond = [] } = {}) {
  const port = await freePort()
  const paced = new Map()
  for (const rate of pacedBitsPerSecond) paced.set(rate, await freePort())
  const dir = join(workDir, 'nginx')
  mkdirSync(dir, { recursive: true })
  // Worker processes run as an unprivileged user when nginx starts as root: the files must be readable.
  chmodSync(workDir, 0o755)
  mkdirSync(root, { recursive: true })
  chmodSync(root, 0o755)
  const config = join(dir, 'nginx.conf')
  writeFileSync(
    config,
    `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  types {
    application/json json;
    "text/plain; version=0.0.4; charset=utf-8" prom;
  }
  default_type "text/plain; version=0.0.4; charset=utf-8";
  server {
    listen 127.0.0.1:${port};
    root ${root};
    index index.json index.prom;
    gzip_static on;
    etag off;
  }
${[...paced]
  .map(
    ([rate, pacedPort]) => `  server {
    listen 127.0.0.1:${pacedPort} sndbuf=${PACED_SNDBUF};
    root ${root};
    index index.json index.prom;
    gzip_static on;
    etag off;
    limit_rate ${Math.round(rate / 8)};
    sendfile_max_chunk ${Math.round((rate / 8) * (PACED_CHUNK_MS / 1000))};
  }
`
  )
  .join('')}}
`
  )
  const child = start(nginx, ['-p', dir, '-c', config, '-e', join(dir, 'error.log')])
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/`, { status: 'any', child, timeoutMs: 15_000 })
  const pacedUrls = new Map([...paced].map(([rate, pacedPort]) => [rate, `http://127.0.0.1:${pacedPort}`]))
  for (const pacedUrl of pacedUrls.values())
    await waitForHttp(`${pacedUrl}/`, { status: 'any', child, timeoutMs: 15_000 })
  return { url, paced: pacedUrls, pid: child.pid, stop: () => child.stop() }
}
