// The practical limit of serving a prebuilt body from Node: node:http writing a Buffer, nothing else.
// Usage: node bench/lib/bare-server.js PORT BODY_FILE GZIP_FILE
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import process from 'node:process'

const [port, bodyFile, gzipFile] = process.argv.slice(2)
const body = readFileSync(bodyFile)
const gzipped = readFileSync(gzipFile)
const server = createServer((request, response) => {
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
  const payload = gzip ? gzipped : body
  const headers = {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'content-length': payload.length
  }
  if (gzip) headers['content-encoding'] = 'gzip'
  response.writeHead(200, headers)
  response.end(payload)
})
server.keepAliveTimeout = 120_000
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'))
process.once('SIGTERM', () => server.close(() => process.exit(0)))
