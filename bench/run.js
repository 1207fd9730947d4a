// `npm run bench`: the exporter measured against its real alternatives, side by side in one run, written
// to BENCHMARKS.md. Sections: ingest (vs Prometheus), parser (vs parse-prometheus-text-format), serving
// (vs a bare node:http server and nginx, under wrk), memory (RSS polling 1,000 clusters), API budget,
// freshness (simulated time), probe, typical (the demo scenario vs a bare fastify + pino + prom-client
// server), scale (10,000 clusters in one organization).
// Usage (after npm run build): node bench/run.js [--quick] [--out FILE] [--sections a,b,...]
import console from 'node:console'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { findTool } from './lib/processes.js'
import { machineMarkdown } from './lib/machine.js'
import { startNginx } from './lib/nginx.js'
import { captureExists, CAPTURE, ROOT, writeWorld } from './lib/payloads.js'
import { apiBudgetSection } from './sections/api-budget.js'
import { freshnessSection } from './sections/freshness.js'
import { ingestSection } from './sections/ingest.js'
import { memorySection } from './sections/memory.js'
import { parserSection } from './sections/parser.js'
import { servingSection } from './sections/serving.js'
import { probeSection } from './sections/probe.js'
import { typicalSection } from './sections/typical.js'
import { scaleSection } from './sections/scale.js'

const SECTIONS = ['ingest', 'parser', 'serving', 'memory', 'api', 'freshness', 'probe', 'typical', 'scale']

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'BENCHMARKS.md') },
    sections: { type: 'string', default: SECTIONS.join(',') },
    'keep-files': { type: 'boolean', default: false }
  }
})
const quick = args.quick
const wanted = new Set(args.sections.split(','))
for (const name of wanted) if (!SECTIONS.includes(name)) throw new Error(`unknown section ${name}`)

/** Sizes and repetitions: the full run, and --quick (small sizes, few repetitions) for CI. */
const PLAN = quick
  ? {
      clusters: [3, 100],
      ingestReps: 2,
      paced: { bitsPerSecond: [1e9], clusters: [3], minReps: 1 },
      scrapes: 2,
      parserReps: 2,
      baselineCapMb: 8,
      serving: { clusters: 30, reps: 1, seconds: 1, connections: [8] },
      probe: { clusters: 30, reps: 1, seconds: 1, connections: 8 },
      memory: { clusters: 100, intervalSeconds: 2, cycles: 2 },
      api: { organizationCounts: [1, 10], intervalSeconds: 1, cycles: 2, scrapes: 20 },
      freshness: { cycles: 4 },
      typical: { seconds: 3, scrapeEverySeconds: 1, reps: 1 },
      scale: { clusters: 300, intervalSeconds: 2, cycles: 2 }
    }
  : {
      clusters: [3, 100, 1000],
      ingestReps: 7,
      paced: { bitsPerSecond: [100e6, 1e9], clusters: [100, 1000], minReps: 3 },
      scrapes: 7,
      parserReps: 5,
      baselineCapMb: 32,
      serving: { clusters: 300, reps: 3, seconds: 5, connections: [1, 8] },
      probe: { clusters: 300, reps: 3, seconds: 5, connections: 8 },
      // The RSS levels off after 6 to 12 polls (bench/profiling.md): the peak of five understates it.
      memory: { clusters: 1000, intervalSeconds: 10, cycles: 15 },
      api: { organizationCounts: [1, 10, 100], intervalSeconds: 2, cycles: 3, scrapes: 100 },
      freshness: { cycles: 20 },
      typical: { seconds: 20, scrapeEverySeconds: 5, reps: 2 },
      scale: { clusters: 10_000, intervalSeconds: 60, cycles: 3 }
    }

const log = (message) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

/** The external programs, installed by bench/setup.sh when missing (as root). */
function tools() {
  const names = ['prometheus', 'nginx', 'wrk']
  let found = Object.fromEntries(names.map((name) => [name, findTool(name)]))
  if (Object.values(found).some((path) => path === null)) {
    log('installing missing tools: bench/setup.sh')
    const setup = spawnSync('bash', [join(ROOT, 'bench/setup.sh')], { stdio: 'inherit' })
    if (setup.status !== 0)
      throw new Error('bench/setup.sh failed; the benchmark needs prometheus, nginx and wrk')
    found = Object.fromEntries(names.map((name) => [name, findTool(name)]))
  }
  for (const [name, path] of Object.entries(found)) if (path === null) throw new Error(`${name} not found`)
  return found
}

async function main() {
  const started = Date.now()
  const found = tools()
  const workDir = mkdtempSync(join(tmpdir(), 'cce-bench-'))
  const wwwDir = join(workDir, 'www')
  const nginx = await startNginx(found.nginx, wwwDir, workDir, {
    pacedBitsPerSecond: PLAN.paced.bitsPerSecond
  })
  const sections = []
  const goals = []
  const add = (result) => {
    sections.push(result.markdown)
    goals.push(...result.goals)
  }
  try {
    const worlds = []
    // Only the ingest, parser and memory sections read the org payloads.
    if (['ingest', 'parser', 'memory'].some((name) => wanted.has(name))) {
      log(`writing the org payloads (${PLAN.clusters.join(', ')} clusters)`)
      if (captureExists()) worlds.push(await writeWorld(wwwDir, 'real', 'capture'))
      else log(`SKIP: ${CAPTURE} not found; the real capture's rows are left out`)
      for (const clusters of PLAN.clusters) worlds.push(await writeWorld(wwwDir, `c${clusters}`, clusters))
    }
    if (wanted.has('ingest'))
      add(
        await ingestSection({
          worlds,
          nginx,
          tools: found,
          workDir,
          reps: PLAN.ingestReps,
          scrapes: PLAN.scrapes,
          paced: PLAN.paced,
          log
        })
      )
    if (wanted.has('parser'))
      add(parserSection({ worlds, reps: PLAN.parserReps, baselineCapMb: PLAN.baselineCapMb, log }))
    if (wanted.has('serving'))
      add(await servingSection({ ...PLAN.serving, nginx, wwwDir, tools: found, log }))
    if (wanted.has('memory')) {
      const world = worlds.find((w) => w.clusters === PLAN.memory.clusters && w.name !== 'real')
      add(await memorySection({ ...PLAN.memory, bodyBytes: world?.bytes, log }))
    }
    if (wanted.has('api')) add(await apiBudgetSection({ ...PLAN.api, log }))
    if (wanted.has('freshness')) add(await freshnessSection({ ...PLAN.freshness, quick, log }))
    if (wanted.has('probe')) add(await probeSection({ ...PLAN.probe, tools: found, log }))
    if (wanted.has('typical')) add(await typicalSection({ ...PLAN.typical, log }))
    if (wanted.has('scale')) add(await scaleSection({ ...PLAN.scale, quick, log }))
  } finally {
    await nginx.stop()
    if (!args['keep-files']) rmSync(workDir, { recursive: true, force: true })
    else log(`files kept in ${workDir}`)
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  const out = resolve(args.out)
  writeFileSync(out, document({ sections, goals, minutes, toolsFound: found }))
  log(`wrote ${relative(process.cwd(), out) || out} in ${minutes} min`)
  const missed = goals.filter((goal) => !goal.ok)
  console.log(
    `${goals.length - missed.length} goals met, ${missed.length} missed${missed.length ? `: ${missed.map((g) => g.what).join('; ')}` : ''}`
  )
}

function document({ sections, goals, minutes, toolsFound }) {
  const summary = goals.map((goal) => `- ${goal.ok ? 'met' : '**MISSED**'}: ${goal.what}`).join('\n')
  return `# Benchmarks

Generated by \`${quick ? 'node bench/run.js --quick' : 'npm run bench'}\` (bench/run.js) in ${minutes} minutes; every figure
below was measured in that one run, on the machine described here. This machine is shared and noisy:
the tables give medians and ratios, with the number of repetitions.${quick ? '\n\n**Quick mode: small sizes and few repetitions; a check that the benchmark runs, not a result.**' : ''}

${machineMarkdown(toolsFound)}
## Goals

${summary}

${sections.join('\n')}${profilingNotes()}`
}

/** Before/after figures of the fixes made where a goal was missed: kept by hand in bench/profiling.md. */
function profilingNotes() {
  const path = join(ROOT, 'bench', 'profiling.md')
  return existsSync(path) ? `\n${readFileSync(path, 'utf8')}` : ''
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
