/**
 * Runs bench/webgpu.ts in a child process with a deadline and collects its rows: what finished
 * in time is kept, the rest is listed as skipped with the reason; with no adapter every row is
 * skipped and the reason printed (the bench still exits 0). Started after every other part of
 * the bench, never alongside it.
 */
import { spawn } from 'node:child_process'
import type { GenerateRow } from './generate.js'
import type { TrainStepRow } from './train-steps.js'

/** What the webgpu part gave. */
export interface WebGpuResult {
  /** formatAdapter of the adapter, when one was found. */
  readonly adapter: string | null
  readonly generate: (GenerateRow & { first_call_ms: number })[]
  readonly training: (TrainStepRow & { adapter: string; first_call_ms: number })[]
  /** Why rows are missing (no adapter, deadline, failure); null when all ran. */
  readonly skipped: string | null
}

/** What to run: Generate cases as "config:SIZExBATCH", the stage-2 row, limits. */
export interface WebGpuPlan {
  readonly cases: readonly string[]
  readonly stage2: boolean
  readonly runs: number
  /** Seconds of warm calls per row (at least one call is timed). */
  readonly rowBudgetS: number
  /** Seconds before the child is stopped. */
  readonly timeoutS: number
}

type Line = Readonly<Record<string, unknown>>

/** The line without its `kind`. */
function strip(line: Line): Line {
  return Object.fromEntries(Object.entries(line).filter(([k]) => k !== 'kind'))
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** Runs the plan (see the module comment). */
export function runWebGpuBench(plan: WebGpuPlan): Promise<WebGpuResult> {
  const args = ['--import', 'tsx', 'bench/webgpu.ts', '--cases', plan.cases.join(',')]
  args.push('--runs', String(plan.runs), '--budget', String(plan.rowBudgetS))
  if (plan.stage2) args.push('--stage2')
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Line[] = []
  let buffer = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    for (const part of parts) {
      if (part.startsWith('{')) {
        try {
          lines.push(JSON.parse(part) as Line)
        } catch {
          process.stderr.write(`webgpu: unreadable result line (kept out of the rows): ${part}\n`)
        }
      } else if (part.trim()) process.stderr.write(`webgpu: ${part}\n`)
    }
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  }, plan.timeoutS * 1000)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const backend = lines.find((l) => l.kind === 'backend')
      const skippedLine = lines.find((l) => l.kind === 'skipped')
      const rows = (kind: string) => lines.filter((l) => l.kind === kind).map(strip)
      const generate = rows('generate') as unknown as WebGpuResult['generate']
      const training = rows('training') as unknown as WebGpuResult['training']
      const expected = plan.cases.length + (plan.stage2 ? 1 : 0)
      const missing = expected - generate.length - training.length
      let skipped: string | null = null
      if (skippedLine)
        skipped = `no webgpu backend: ${text(skippedLine.reason) ?? 'unknown reason'}`
      else if (timedOut) skipped = `${missing} row(s) not reached within ${plan.timeoutS} s`
      else if (missing > 0) skipped = `the webgpu child stopped (${signal ?? `exit ${code}`})`
      resolve({ adapter: text(backend?.adapter), generate, training, skipped })
    })
  })
}
