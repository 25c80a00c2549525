/**
 * The editor's execution worker: owns the tfjs backend, the executor and its cache, so graphs
 * (training included) run off the page's main thread. Only events (with preview pixels) and
 * written files cross back to the page; tensors never do.
 */
/// <reference lib="webworker" />
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import { errorMessage } from '../core/errors.js'
import type { RgbImage } from '../core/image/types.js'
import { describeBackend, formatAdapter, initBackend } from '../runtime/backend.js'
import { browserEnv, type BrowserEnvOptions } from '../runtime/env-browser.js'
import { GraphExecutor } from '../runtime/executor.js'
import { CheckpointShelf } from '../checkpoint/memory-store.js'
import { GraphValidationError } from '../runtime/graph-errors.js'
import { loadPreset } from '../runtime/preset.js'
import type { FromWorker, ToWorker } from './protocol.js'

const scope = self as unknown as DedicatedWorkerGlobalScope
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer)

const shelf = new CheckpointShelf()
/** createdAt of each checkpoint as last reported to the page. */
const reported = new Map<string, string>()
let options: BrowserEnvOptions = { baseUrl: scope.location.href, defaultModelUrl: '' }
let frame: RgbImage | null = null
// The env reads the current run's options, so one executor (and its cache) serves every run.
const env = browserEnv({
  get baseUrl() {
    return options.baseUrl
  },
  get defaultModelUrl() {
    return options.defaultModelUrl
  },
  get files() {
    return options.files
  },
  get origin() {
    return options.origin
  },
  get allowOrigins() {
    return options.allowOrigins
  },
  camera: () => {
    if (!frame) return Promise.reject(new Error('no camera frame: start Live mode in the editor'))
    return Promise.resolve(frame)
  },
  onOutput: (name, bytes) => post({ type: 'output', name, bytes }),
  shelf,
})
const executor = new GraphExecutor({ env, cacheBytes: 512 * 2 ** 20 })
let controller: AbortController | null = null
/** Settles when the backend has started (or failed to); runs wait for it. */
let started: Promise<void> = Promise.resolve()

async function init(m: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  try {
    const info = await initBackend({
      prefer: m.backend,
      ...(m.threads !== undefined ? { threads: m.threads } : {}),
      // all three builds: threads > 1 load the threaded one (its pthread workers start from
      // blob: URLs, which keep this worker's cross-origin isolation)
      wasmPaths: {
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
      },
    })
    post({
      type: 'ready',
      backend: info.backend,
      adapter: info.adapter ? formatAdapter(info.adapter) : null,
      attempts: info.attempts.map((a) => `${a.backend}: ${a.ok ? 'ok' : (a.reason ?? 'failed')}`),
      threads: info.threads ?? null,
      label: describeBackend(info),
    })
  } catch (err) {
    post({ type: 'init-failed', message: errorMessage(err) })
  }
}

async function run(m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  controller?.abort()
  const mine = new AbortController()
  controller = mine
  await started
  options = {
    baseUrl: m.baseUrl,
    defaultModelUrl: m.defaultModelUrl,
    files: new Map(m.files),
    origin: m.origin,
    allowOrigins: m.allowOrigins,
  }
  frame = m.frame ?? null
  try {
    const { graph } = loadPreset(m.preset, 'editor graph')
    const result = await executor.run(graph, {
      signal: mine.signal,
      ...(m.until !== undefined ? { until: m.until } : {}),
      onEvent: (event) => post({ type: 'event', event }),
    })
    reportCheckpoints()
    post({
      type: 'finished',
      status: result.status,
      ...(result.error ? { message: result.error.message } : {}),
    })
  } catch (err) {
    post({
      type: 'finished',
      status: err instanceof GraphValidationError ? 'invalid' : 'failed',
      message: errorMessage(err),
    })
  } finally {
    if (controller === mine) controller = null
  }
}

/** Posts the checkpoints that are new or changed since the last report. */
function reportCheckpoints(): void {
  const items = [...shelf.checkpoints.entries()]
    .filter(([path, c]) => reported.get(path) !== c.manifest.createdAt)
    .map(([path, c]) => {
      reported.set(path, c.manifest.createdAt)
      return { path, manifest: c.manifest, files: [...c.files.entries()] }
    })
  if (items.length > 0) post({ type: 'checkpoints', items })
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data
  if (m.type === 'init') started = init(m)
  else if (m.type === 'run') void run(m)
  else if (m.type === 'restore') {
    for (const item of m.items) {
      shelf.checkpoints.set(item.path, { manifest: item.manifest, files: new Map(item.files) })
      reported.set(item.path, item.manifest.createdAt)
    }
  } else controller?.abort()
}
