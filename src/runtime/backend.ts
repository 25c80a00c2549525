/**
 * The ONLY place that chooses and initialises tfjs backends.
 *
 * `initBackend({ prefer })`:
 *  - 'auto' tries, in order, webgpu -> webgl -> wasm -> cpu in browsers and workers, and
 *    webgpu (Dawn, when an adapter exists) -> wasm -> cpu in Node. In 'auto', a SOFTWARE WebGPU
 *    adapter (lavapipe, SwiftShader) or WebGL renderer (SwiftShader, llvmpipe) is passed over,
 *    because on this class of machine wasm is several times faster
 *    (docs/decisions/0003-backend-selection.md, 0020-software-webgl.md); ask for 'webgpu' or
 *    'webgl' to use it.
 *  - an explicit name must be honoured or it is an error (BackendError), never a silent fallback.
 * The returned BackendInfo says what was chosen, the adapter, and why earlier candidates failed.
 *
 * `fallbackBackend(current, reason)`: after a fault MID-RUN (device lost, missing kernel; see
 * backend-fault.ts) the next usable backend after `current` in the 'auto' order becomes active.
 * This applies to an explicit choice too: it started, so the run goes on, and says so
 * (docs/decisions/0013-backend-fallback.md).
 */
import * as tf from '@tensorflow/tfjs'
import { BackendError, errorMessage } from '../core/errors.js'
import { watchDeviceLoss } from './backend-fault.js'
import { dropBackendInstance } from './backend-instance.js'
import { parseThreads, startWasm, type WasmThreads } from './wasm-threads.js'
import { probeWebGl, SOFTWARE_RENDERER } from './webgl-probe.js'

/** Backends the project knows. */
export const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const
/** A tfjs backend name. */
export type BackendName = (typeof BACKEND_NAMES)[number]
/** What a user may ask for. */
export type BackendChoice = BackendName | 'auto'
/** Where the code runs. */
export type Platform = 'node' | 'browser' | 'worker'

/** The WebGPU adapter in use, as the platform describes it. */
export interface AdapterInfo {
  readonly vendor: string
  readonly architecture: string
  readonly device: string
  readonly description: string
  /** True for CPU-emulated adapters (lavapipe/llvmpipe, SwiftShader, fallback adapters). */
  readonly software: boolean
}

/** One candidate tried during initialisation. */
export interface BackendAttempt {
  readonly backend: BackendName
  readonly ok: boolean
  readonly reason?: string
  /** Passed over mid-run because it lacks the kernel whose absence caused the fallback. */
  readonly skippedForKernel?: boolean
}

/** The outcome of initBackend. */
export interface BackendInfo {
  readonly backend: BackendName
  readonly platform: Platform
  readonly adapter: AdapterInfo | null
  readonly attempts: readonly BackendAttempt[]
  /** wasm only: the threads asked for and running (wasm-threads.ts). */
  readonly threads?: WasmThreads
  /** webgl only: the WebGL renderer, as the platform names it (webgl-probe.ts). */
  readonly renderer?: string
}

/** Options for initBackend. */
export interface InitBackendOptions {
  /** 'auto' (default) or one backend, which must then be honoured. */
  readonly prefer?: BackendChoice
  /** Accept a software WebGPU adapter or WebGL renderer in 'auto' mode (default false). */
  readonly allowSoftwareAdapter?: boolean
  /**
   * Browser only: URL prefix where tfjs-backend-wasm's .wasm files are served, or a map from
   * each file name (tfjs-backend-wasm.wasm, -simd.wasm, -threaded-simd.wasm) to its URL.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>
  /**
   * wasm only: XNNPACK threads (default every core, at most 8; 1 = the single-threaded build).
   * In browsers more than 1 needs cross-origin isolation (wasm-threads.ts).
   */
  readonly threads?: number
}

let active: BackendInfo | null = null
/** Threads for wasm when initBackend is not told (setDefaultThreads; else every core). */
let defaultThreads: number | undefined
/** The options of the last initBackend (a fallback starts the next backend with them). */
let started: InitBackendOptions = {}

/** STEP_THREADS (Node), when set; a BackendError names it when it is not a positive integer. */
function threadsFromEnv(): number | undefined {
  const text = readEnv('STEP_THREADS')
  if (text === undefined || text === '') return undefined
  const n = parseThreads(text)
  if (n === null)
    throw new BackendError(
      'backend/threads',
      `STEP_THREADS: expected an integer >= 1 (got ${JSON.stringify(text)})`,
    )
  return n
}

/** Sets the wasm thread count initBackend uses when its options name none (undefined: every core). */
export function setDefaultThreads(threads: number | undefined): void {
  defaultThreads = threads
}

/** The backend chosen by the last successful initBackend, or null. */
export function activeBackend(): BackendInfo | null {
  return active
}

function readEnv(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    name
  ]
}

/** Detects Node, a browser page or a worker. */
export function detectPlatform(): Platform {
  const g = globalThis as {
    process?: { versions?: { node?: string } }
    WorkerGlobalScope?: unknown
  }
  if (g.process?.versions?.node) return 'node'
  return g.WorkerGlobalScope !== undefined ? 'worker' : 'browser'
}

/** The 'auto' order of candidates on a platform. */
export function candidateOrder(platform: Platform): BackendName[] {
  return platform === 'node' ? ['webgpu', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu']
}

const SOFTWARE_ADAPTER = SOFTWARE_RENDERER

function describeAdapter(adapter: GPUAdapter): AdapterInfo {
  const info = adapter.info
  const vendor = info.vendor
  const architecture = info.architecture
  const device = info.device
  const description = info.description
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true
  const text = `${vendor} ${architecture} ${device} ${description}`
  return {
    vendor,
    architecture,
    device,
    description,
    software: fallback || SOFTWARE_ADAPTER.test(text),
  }
}

/** Human-readable adapter summary, e.g. "mesa llvmpipe (LLVM 15.0.6, 256 bits) [software]". */
export function formatAdapter(a: AdapterInfo): string {
  const name = [a.vendor, a.architecture, a.description || a.device].filter(Boolean).join(' ')
  return `${name || 'unnamed adapter'}${a.software ? ' [software]' : ''}`
}

/** Finds a WebGPU adapter on this platform: its description, or why there is none. */
export async function probeWebGpu(
  platform: Platform = detectPlatform(),
): Promise<AdapterInfo | string> {
  if (platform === 'node') {
    const { installNodeWebGpu } = await import('./webgpu.node.js')
    const problem = await installNodeWebGpu()
    if (problem) return problem
  }
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu
  if (!gpu) return 'navigator.gpu is missing (this browser has WebGPU disabled or unsupported)'
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
    if (!adapter) {
      return platform === 'node'
        ? 'no WebGPU adapter: no Vulkan driver found (run scripts/setup-system.sh for lavapipe, or set VK_ICD_FILENAMES)'
        : 'no WebGPU adapter (GPU blocklisted or unavailable)'
    }
    return describeAdapter(adapter)
  } catch (err) {
    return `requesting a WebGPU adapter failed: ${errorMessage(err)}`
  }
}

/**
 * Node, 'auto', Dawn not yet loaded and not STEP_VERBOSE: asks a child process first, so that a
 * machine without a hardware adapter never sees Dawn's native messages (webgpu-quiet.node.ts).
 */
async function quietlySkipWebGpu(
  platform: Platform,
  opts: InitBackendOptions,
  explicit: boolean,
): Promise<string | null> {
  if (platform !== 'node' || explicit || opts.allowSoftwareAdapter || readEnv('STEP_VERBOSE'))
    return null
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return null
  const { quietSkipReason } = await import('./webgpu-quiet.node.js')
  return await quietSkipReason()
}

/** Makes one backend active, or returns why it cannot be. */
async function activate(
  name: BackendName,
  platform: Platform,
  opts: InitBackendOptions,
  explicit: boolean,
): Promise<{ adapter: AdapterInfo | null; threads?: WasmThreads; renderer?: string } | string> {
  let adapter: AdapterInfo | null = null
  let renderer: string | undefined
  if (name === 'webgpu') {
    const skip = await quietlySkipWebGpu(platform, opts, explicit)
    if (skip) return skip
    const probe = await probeWebGpu(platform)
    if (typeof probe === 'string') return probe
    if (probe.software && !explicit && !opts.allowSoftwareAdapter) {
      return `skipped in auto mode: ${formatAdapter(probe)} is a software adapter (CPU-emulated, slower than the next candidate); ask for webgpu explicitly to use it`
    }
    adapter = probe
    await import('@tensorflow/tfjs-backend-webgpu')
  } else if (name === 'webgl') {
    if (platform === 'node') return 'webgl is only available in browsers'
    if (platform === 'worker' && typeof OffscreenCanvas === 'undefined')
      return 'no OffscreenCanvas in this worker'
    const probe = probeWebGl()
    if (typeof probe === 'string') return probe
    if (probe.software && !explicit && !opts.allowSoftwareAdapter) {
      return `skipped in auto mode: WebGL renderer ${probe.renderer} is a software renderer (CPU-emulated, slower than wasm); ask for webgl explicitly to use it`
    }
    renderer = probe.renderer
  } else if (name === 'wasm') {
    const threads = await startWasm(platform, opts)
    return typeof threads === 'string' ? threads : { adapter, threads }
  }
  try {
    const ok = await tf.setBackend(name)
    await tf.ready()
    if (!ok || tf.getBackend() !== name) return `tfjs could not initialise the ${name} backend`
    if (name === 'webgpu') watchDeviceLoss()
  } catch (err) {
    return `tfjs failed to initialise ${name}: ${errorMessage(err)}`
  }
  return renderer === undefined ? { adapter } : { adapter, renderer }
}

/** Chooses and initialises a tfjs backend (see the module comment for the rules). */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const prefer = options.prefer ?? 'auto'
  if (prefer !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(prefer)) {
    throw new BackendError(
      'backend/unknown',
      `unknown backend '${String(prefer)}'; valid: auto, ${BACKEND_NAMES.join(', ')}`,
    )
  }
  // Production mode: no debug checks, and no advice to install tfjs-node (it cannot be installed
  // offline, and wasm is the fast Node backend here). STEP_TFJS_DEBUG=1 keeps tfjs's debug mode.
  if (!readEnv('STEP_TFJS_DEBUG')) tf.enableProdMode()
  const platform = detectPlatform()
  const threads = options.threads ?? defaultThreads ?? threadsFromEnv()
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    throw new BackendError(
      'backend/threads',
      `threads: expected an integer >= 1, got ${String(threads)}`,
    )
  if (threads !== undefined) options = { ...options, threads }
  started = options
  const candidates = prefer === 'auto' ? candidateOrder(platform) : [prefer]
  const attempts: BackendAttempt[] = []
  for (const name of candidates) {
    const result = await activate(name, platform, options, prefer !== 'auto')
    if (typeof result === 'string') {
      attempts.push({ backend: name, ok: false, reason: result })
      continue
    }
    attempts.push({ backend: name, ok: true })
    return makeActive(name, platform, result, attempts)
  }
  const why = attempts.map((a) => `${a.backend}: ${a.reason ?? 'failed'}`).join('; ')
  throw new BackendError(
    'backend/unavailable',
    prefer === 'auto'
      ? `no tfjs backend could be initialised on ${platform} (${why})`
      : `backend '${prefer}' was requested but cannot be used on ${platform}: ${why}. Use --backend auto, or one of: ${candidateOrder(platform).join(', ')}`,
  )
}

/**
 * After a fault of the `current` backend mid-run: activates the next usable backend after it in
 * the platform's 'auto' order (all of them, when `current` is not in that order) and returns it,
 * its attempts listing `current` with `reason`; null (nothing changed) when none is left. With
 * `needs.kernel` (the fault was that kernel missing), a backend that lacks it too is passed over
 * (its attempt says so, with `skippedForKernel`).
 */
export async function fallbackBackend(
  current: string,
  reason: string,
  needs: { readonly kernel?: string } = {},
): Promise<BackendInfo | null> {
  const platform = detectPlatform()
  const order = candidateOrder(platform)
  const at = order.indexOf(current as BackendName)
  const attempts: BackendAttempt[] = [
    { backend: current as BackendName, ok: false, reason: `failed mid-run: ${reason}` },
  ]
  for (const name of order.slice(at + 1)) {
    if (name === current) continue
    const result = await activate(name, platform, started, false)
    if (typeof result === 'string') {
      attempts.push({ backend: name, ok: false, reason: result })
      continue
    }
    // kernels register when a backend's module loads, so this is asked after activate()
    if (needs.kernel !== undefined && tf.getKernel(needs.kernel, name) === undefined) {
      attempts.push({
        backend: name,
        ok: false,
        reason: `has no '${needs.kernel}' kernel either`,
        skippedForKernel: true,
      })
      continue
    }
    attempts.push({ backend: name, ok: true })
    return makeActive(name, platform, result, attempts)
  }
  if (tf.findBackend(current)) await tf.setBackend(current) // activate() may have left another
  return null
}

/**
 * Replaces the active backend with a fresh instance of the same backend, started with the options
 * initBackend was given (after an out-of-memory or a wasm abort: backend-rebuild.ts). Tensors on
 * the old instance are lost. Throws BackendError when the fresh instance cannot start.
 */
export async function restartBackend(): Promise<BackendInfo> {
  const name = tf.getBackend() as BackendName
  const platform = detectPlatform()
  dropBackendInstance(name)
  const result = await activate(name, platform, started, true)
  if (typeof result === 'string')
    throw new BackendError('backend/restart', `the ${name} backend could not restart: ${result}`)
  const attempts: BackendAttempt[] = [{ backend: name, ok: true }]
  return makeActive(name, platform, result, attempts)
}

/** Records `name` as the active backend, started with `result` after `attempts`; returns it. */
function makeActive(
  name: BackendName,
  platform: Platform,
  result: { adapter: AdapterInfo | null; threads?: WasmThreads; renderer?: string },
  attempts: BackendAttempt[],
): BackendInfo {
  active = {
    backend: name,
    platform,
    adapter: result.adapter,
    attempts,
    ...(result.threads ? { threads: result.threads } : {}),
    ...(result.renderer !== undefined ? { renderer: result.renderer } : {}),
  }
  return active
}

/** "wasm, 2 threads" / "webgpu (adapter)" / "webgl (renderer)": what runs, for status lines. */
export function describeBackend(info: BackendInfo): string {
  const software = info.renderer && SOFTWARE_RENDERER.test(info.renderer) ? ' [software]' : ''
  const adapter = info.adapter
    ? ` (${formatAdapter(info.adapter)})`
    : info.renderer
      ? ` (${info.renderer}${software})`
      : ''
  const t = info.threads
  const threads = t ? `, ${t.threads} thread${t.threads === 1 ? '' : 's'}` : ''
  const note = t?.note ? ` [${t.note}]` : ''
  return `${info.backend}${adapter}${threads}${note}`
}
