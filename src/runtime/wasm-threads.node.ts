/**
 * Multi-threaded tfjs-wasm in Node (docs/decisions/0015-wasm-threads.md).
 *
 * tfjs 4.22 turns wasm threads off in Node, and forcing them fails twice over:
 *  1. the pthread worker script is handed to emscripten as a `blob:` URL, which Node's
 *     worker_threads refuse (ERR_WORKER_PATH), and the worker then loads the main script from a
 *     Blob the same way;
 *  2. the XNNPACK thread pool is capped at `logical cores / 2` (tfjs assumes two hardware threads
 *     per core), so a 2-core machine gets 1 thread whatever it asks for.
 * prepareNodeWasmThreads() works around both for the duration of the backend's initialisation:
 * the worker script (tfjs's own, plus a two-line prologue that maps the Blob to the main script's
 * file) is written once to a private temporary folder and handed out instead of the blob URL, and
 * `os.cpus()` reports twice the requested count while the module starts, so the cap equals it.
 * Nothing of tfjs is modified on disk. Node-only: imported lazily by wasm-threads.ts. The pool's workers are unreferenced
 * once it has started (releaseNodeWasmWorkers), so they never keep a finished process alive.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'

/** Cores this process may use (os.availableParallelism where Node has it). */
export function nodeCores(): number {
  const parallel = (os as { availableParallelism?: () => number }).availableParallelism
  return Math.max(1, parallel ? parallel() : os.cpus().length)
}

/** Writes `text` to `file` unless it already holds exactly that (atomic: temp file + rename). */
function writeOnce(file: string, text: string): void {
  try {
    if (readFileSync(file, 'utf8') === text) return
  } catch {
    // missing: write it
  }
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`
  try {
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' }) // never through an existing file
    renameSync(temp, file)
  } catch (err) {
    try {
      unlinkSync(temp)
    } catch {
      // nothing was written
    }
    throw err
  }
}

/**
 * A folder only this user can write, for the worker file: the per-version folder in the temporary
 * directory when it is ours (a real folder, our uid, no group or other access), else a new one.
 */
function privateDir(version: string): string {
  const uid = process.getuid?.()
  const dir = join(os.tmpdir(), `step-graph-wasm-${version}-${uid ?? 'user'}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = lstatSync(dir)
  const ours = st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o077) === 0
  return ours ? dir : mkdtempSync(join(os.tmpdir(), 'step-graph-wasm-'))
}

/** The pthread worker script tfjs would put in a Blob, made loadable from a file. */
function workerScript(mainScript: string, contents: string): string {
  const prologue =
    '// StEP graph: the main script arrives as a Blob, which Node cannot import; load its file.\n' +
    `URL.createObjectURL = () => ${JSON.stringify(mainScript)}\n` +
    'URL.revokeObjectURL = () => {}\n'
  // tfjs escapes newlines the same way before putting the script in a Blob
  return prologue + contents.replace(/\n/g, '\\n')
}

/**
 * Prepares the next tfjs-wasm initialisation in this process to start `threads` XNNPACK threads.
 * Call right before tf.setBackend('wasm'); call the returned function once it has resolved (it
 * restores URL.createObjectURL and os.cpus). Throws when the worker file cannot be written.
 */
export function prepareNodeWasmThreads(threads: number): () => void {
  const require = createRequire(import.meta.url)
  const mainScript =
    require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js')
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string
    }
  const { version } = require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }
  const workerFile = join(privateDir(version), 'pthread-worker.cjs')
  writeOnce(workerFile, workerScript(mainScript, wasmWorkerContents))

  // restored as it was (not a bound copy); URL's static methods do not use `this`
  const createObjectURL: (obj: Blob | MediaSource) => string = Reflect.get(URL, 'createObjectURL')
  const cpus = os.cpus
  URL.createObjectURL = (obj: Blob | MediaSource) =>
    obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : createObjectURL(obj)
  const one: os.CpuInfo = cpus()[0] ?? {
    model: '',
    speed: 0,
    times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 },
  }
  os.cpus = () => new Array<os.CpuInfo>(2 * threads).fill(one) // only the length is read
  return () => {
    URL.createObjectURL = createObjectURL
    os.cpus = cpus
  }
}

/** What releaseNodeWasmWorkers needs of the wasm backend: emscripten's pthread table. */
interface PthreadHost {
  readonly wasm?: { readonly PThread?: { readonly runningWorkers?: { unref?: () => void }[] } }
}

/**
 * Lets the process exit while XNNPACK's pool threads wait for work: emscripten keeps a running
 * pthread's worker referenced, and the pool's threads run until the backend is disposed.
 */
export function releaseNodeWasmWorkers(backend: unknown): void {
  for (const worker of (backend as PthreadHost).wasm?.PThread?.runningWorkers ?? [])
    worker.unref?.()
}
