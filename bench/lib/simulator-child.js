// The simulator in a process of its own, so that a measured exporter does not share its CPU or memory.
// Usage: node bench/lib/simulator-child.js '<JSON of startSimulator options>'; prints {"url": ...} on a line.
import process from 'node:process'
import { startSimulator } from '../../dist/simulator/index.js'

const simulator = await startSimulator(JSON.parse(process.argv[2] ?? '{}'))
process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`)
const stop = () => void simulator.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
