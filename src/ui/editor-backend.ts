/**
 * The backend as <step-editor> exposes it (backendInfo, the backend-ready event, the status
 * bar), and its `threads` setting (attribute, property or the app's ?threads=).
 */
import type { WasmThreads } from '../runtime/wasm-threads.js'
import type { BackendReady } from './protocol.js'

/** The editor's backendInfo and the detail of its backend-ready event. */
export interface EditorBackendInfo {
  readonly backend: string
  readonly adapter: string | null
  /** wasm only: threads asked for and running, and why fewer run if so (else null). */
  readonly threads: WasmThreads | null
  /** What the status bar shows, e.g. "wasm, 2 threads" or "webgpu (adapter)". */
  readonly label: string
  /** Why this backend runs: the candidates passed over before it, in short ('' if none were). */
  readonly why: string
  /** Every candidate tried, with its full reason ("webgl: skipped in auto mode: …"). */
  readonly attempts: readonly string[]
}

/**
 * The short reason for the backend chosen, from the worker's attempts ("webgpu: <reason>"):
 * "webgpu, webgl passed over: software-emulated (slower than wasm here)".
 */
export function backendWhy(attempts: readonly string[]): string {
  const failed = attempts.filter((a) => !/^\w+: ok$/.test(a))
  if (failed.length === 0) return ''
  const software = failed.filter((a) => /software/i.test(a)).map((a) => a.split(':')[0])
  const other = failed.filter((a) => !/software/i.test(a)).map((a) => a.split(':')[0])
  const parts: string[] = []
  if (software.length > 0)
    parts.push(`${software.join(', ')} passed over: software-emulated, slower than wasm here`)
  if (other.length > 0) parts.push(`${other.join(', ')} unavailable`)
  return parts.join('; ')
}

/** backendInfo from the worker's ready message. */
export function editorBackendInfo(ready: BackendReady): EditorBackendInfo {
  return {
    backend: ready.backend,
    adapter: ready.adapter,
    threads: ready.threads,
    label: ready.label,
    why: backendWhy(ready.attempts),
    attempts: ready.attempts,
  }
}

/**
 * The wasm thread count to ask the worker for: a positive integer, or undefined (every core)
 * when unset; `problem` says why a set value was not usable (the default is used then).
 */
export function threadsSetting(value: number | string | null | undefined): {
  threads?: number
  problem?: string
} {
  if (value === undefined || value === null || value === '') return {}
  const n = typeof value === 'number' ? value : Number(value)
  if (Number.isInteger(n) && n >= 1) return { threads: n }
  return {
    problem: `threads: expected an integer >= 1 (got ${JSON.stringify(String(value))}); using every core`,
  }
}

/** A backend fault the run survived, as the editor shows it: the status text and backendInfo. */
export function fallbackInfo(e: {
  readonly from: string
  readonly to: string
  readonly title: string
  readonly kind: string
  readonly reason: string
}): { status: string; info: EditorBackendInfo } {
  const why = `${e.from} failed mid-run (${e.kind}: ${e.reason})`
  return {
    status: `backend ${e.from} failed in ${e.title} (${e.kind}: ${e.reason}); continued on ${e.to}`,
    info: {
      backend: e.to,
      adapter: null,
      threads: null,
      label: `${e.to} (fallback from ${e.from})`,
      why,
      attempts: [`${e.from}: ${why}`, `${e.to}: ok`],
    },
  }
}
