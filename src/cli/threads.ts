/**
 * `--threads N`, the one option every command takes: the wasm backend's thread count (default:
 * the environment variable STEP_THREADS, else every core). Declared here once and taken out of the
 * arguments before the command parses its own.
 */
import { setDefaultThreads } from '../runtime/backend.js'
import { parseThreads } from '../runtime/wasm-threads.js'
import { UsageError } from './args.js'

/** The help line for --threads, shown under every command's usage. */
export const THREADS_HELP =
  '--threads N    wasm backend threads (default: every core, at most 8; env STEP_THREADS)'

/**
 * Removes `--threads N` / `--threads=N` from `argv` and makes N the default of initBackend.
 * Throws a UsageError naming the flag and the value for anything but a positive integer.
 */
export function takeThreadsFlag(argv: readonly string[]): string[] {
  const rest: string[] = []
  let value: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--threads') {
      value = argv[i + 1] ?? ''
      i++
    } else if (arg.startsWith('--threads=')) value = arg.slice('--threads='.length)
    else rest.push(arg)
  }
  if (value === undefined) {
    setDefaultThreads(undefined) // STEP_THREADS or every core (initBackend)
    return rest
  }
  const threads = parseThreads(value)
  if (threads === null)
    throw new UsageError(`--threads: expected an integer >= 1 (got ${JSON.stringify(value)})`)
  setDefaultThreads(threads)
  return rest
}
