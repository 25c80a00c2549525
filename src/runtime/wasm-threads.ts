/**
 * Starting tfjs-wasm with a chosen number of threads, in Node, pages and workers (ADR 0015).
 * Used only by backend.ts, the one place that initialises backends.
 *
 * - threads = 1: the single-threaded SIMD build (no workers at all).
 * - threads > 1: the threaded SIMD build with an XNNPACK pool of that many threads (the pool
 *   tfjs pre-spawns holds 8 workers, so at most 8). In Node, wasm-threads.node.ts makes tfjs's
 *   browser-only worker loading work; in a browser it needs cross-origin isolation
 *   (`crossOriginIsolated`, i.e. COOP + COEP headers) for SharedArrayBuffer, and without it the
 *   backend starts with 1 thread and says why.
 * In both, tfjs caps the pool at half the reported logical cores; the report is raised to twice
 * the request while the module starts, so the request is what runs.
 * Asking again with another count re-creates the backend (its tensors are lost: benchmarks and
 * tests switch between counts, a running graph never does).
 */
import * as tf from '@tensorflow/tfjs'
import { errorMessage } from '../core/errors.js'

/** Most threads tfjs-wasm's pre-spawned worker pool can give. */
export const MAX_WASM_THREADS = 8

/** How the wasm backend's threads were settled. */
export interface WasmThreads {
  /** Threads asked for (the default is every core). */
  readonly requested: number
  /** Threads XNNPACK runs with, as tfjs-wasm reports it. */
  readonly threads: number
  /** Why fewer threads run than were asked for, if so. */
  readonly note?: string
}

type Platform = 'node' | 'browser' | 'worker'

interface WasmModule {
  setWasmPaths(paths: string | Record<string, string>): void
  setThreadsCount(n: number): void
  getThreadsCount(): number
}

/** The thread count the current wasm backend was started for; null before it starts. */
let current: number | null = null

/** Logical cores this code may use: os.availableParallelism in Node, hardwareConcurrency else. */
export async function availableCores(platform: Platform): Promise<number> {
  if (platform === 'node') return (await import('./wasm-threads.node.js')).nodeCores()
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency
  return Math.max(1, n ?? 1)
}

/** Parses a thread count from text (flags, env, widgets); null when it is not a positive int. */
export function parseThreads(text: string): number | null {
  return /^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : null
}

/** Threads the browser page or worker can have, or why only one. */
function browserLimit(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown }
  if (g.crossOriginIsolated !== true)
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp or credentialless)'
  if (typeof g.SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is unavailable'
  return null
}

/** Makes navigator.hardwareConcurrency read `n` until the returned function runs. */
function reportCores(n: number): () => void {
  const nav = (globalThis as { navigator?: object }).navigator
  if (!nav) return () => {}
  Object.defineProperty(nav, 'hardwareConcurrency', { value: n, configurable: true })
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency
  }
}

/** How long the threaded build may take to start before the backend falls back to 1 thread. */
export const THREADED_START_TIMEOUT_MS = 30_000

/** Drops the wasm backend (started or still starting) so the next setBackend starts it anew. */
function forgetWasmBackend(): void {
  const factory = tf.findBackendFactory('wasm')
  if (!factory) return
  tf.removeBackend('wasm') // also makes a pending initialisation's result be ignored
  tf.registerBackend('wasm', factory)
}

/** `promise`, or 'timeout' once `ms` have passed without it settling. */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Calls of startWasm run one after the other (each patches globals while the module starts). */
let queue: Promise<unknown> = Promise.resolve()

/**
 * Starts tfjs-wasm with `requested` threads (default: every core, at most 8). When the threaded
 * build fails or does not start within THREADED_START_TIMEOUT_MS, starts 1 thread and says why.
 * Returns how many threads run, or why the backend could not start at all.
 */
export function startWasm(
  platform: Platform,
  options: {
    readonly threads?: number
    readonly wasmPaths?: string | Readonly<Record<string, string>>
  },
): Promise<WasmThreads | string> {
  const run = queue.then(() => startWasmNow(platform, options))
  queue = run.catch(() => undefined)
  return run
}

async function startWasmNow(
  platform: Platform,
  options: {
    readonly threads?: number
    readonly wasmPaths?: string | Readonly<Record<string, string>>
  },
): Promise<WasmThreads | string> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmModule
  if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths)
  const cores = await availableCores(platform)
  const requested = Math.max(1, Math.floor(options.threads ?? cores))
  let want = Math.min(requested, MAX_WASM_THREADS)
  let note: string | undefined =
    requested > MAX_WASM_THREADS ? `tfjs-wasm runs at most ${MAX_WASM_THREADS} threads` : undefined
  const limit = want > 1 && platform !== 'node' ? browserLimit() : null
  if (limit) {
    want = 1
    note = limit
  }
  if (current !== null && current !== want) forgetWasmBackend()
  let threads = await tryStart(platform, want, wasm)
  if (typeof threads === 'string' && want > 1) {
    // e.g. a pthread worker that cannot load (a CSP rule, a broken bundle): 1 thread still works
    const why = threads
    forgetWasmBackend()
    current = null
    want = 1
    threads = await tryStart(platform, 1, wasm)
    note = `the threaded build failed (${why}); running 1 thread`
  }
  if (typeof threads === 'string') return threads
  current = want
  if (threads < want) note ??= `tfjs-wasm started ${threads} of ${want} threads`
  return note === undefined ? { requested, threads } : { requested, threads, note }
}

/** One attempt at starting wasm with `want` threads: the threads running, or why not. */
async function tryStart(
  platform: Platform,
  want: number,
  wasm: WasmModule,
): Promise<number | string> {
  let restore = () => {}
  try {
    if (want > 1)
      restore =
        platform === 'node'
          ? (await import('./wasm-threads.node.js')).prepareNodeWasmThreads(want)
          : reportCores(2 * want)
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', want > 1)
    wasm.setThreadsCount(want)
    const start = tf.setBackend('wasm').then(async (ok) => (await tf.ready(), ok))
    const ok = want > 1 ? await settleWithin(start, THREADED_START_TIMEOUT_MS) : await start
    if (ok === 'timeout') return `it did not start within ${THREADED_START_TIMEOUT_MS / 1000} s`
    if (!ok || tf.getBackend() !== 'wasm') return 'tfjs could not initialise the wasm backend'
  } catch (err) {
    return `tfjs failed to initialise wasm: ${errorMessage(err)}`
  } finally {
    restore()
  }
  const threads = wasm.getThreadsCount()
  if (threads > 1 && platform === 'node')
    (await import('./wasm-threads.node.js')).releaseNodeWasmWorkers(tf.backend())
  return threads
}

/** The thread count the running wasm backend was started for (null when it has not started). */
export function wasmThreadCount(): number | null {
  return current
}
