/**
 * WebGPU for Node through Dawn (npm `webgpu`, an optional dependency). Installs `navigator.gpu`
 * before the tfjs webgpu backend is imported (it registers only if navigator.gpu exists then).
 * Without a GPU, Mesa's lavapipe Vulkan driver provides a software adapter; scripts/setup-system.sh
 * unpacks it to /opt/step-graph/lavapipe (or STEP_LAVAPIPE_DIR), which is selected here when the
 * user has not set VK_ICD_FILENAMES themselves.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where scripts/setup-system.sh puts the private lavapipe driver. */
export function lavapipeIcdPath(): string {
  return join(process.env.STEP_LAVAPIPE_DIR ?? '/opt/step-graph/lavapipe', 'lvp_icd.json')
}

interface DawnModule {
  create(flags: string[]): GPU
  globals: Record<string, unknown>
}

function isDawnModule(m: unknown): m is DawnModule {
  return (
    typeof m === 'object' && m !== null && typeof (m as { create?: unknown }).create === 'function'
  )
}

/**
 * Makes `navigator.gpu` available in Node. Returns null on success, else why it is not possible
 * (the `webgpu` package is missing or fails to load).
 */
export async function installNodeWebGpu(): Promise<string | null> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator
  if (nav?.gpu) return null
  if (!process.env.VK_ICD_FILENAMES && existsSync(lavapipeIcdPath())) {
    process.env.VK_ICD_FILENAMES = lavapipeIcdPath()
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `step-xdg-${process.getuid?.() ?? 0}`)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    process.env.XDG_RUNTIME_DIR = dir
  }
  let mod: unknown
  try {
    const name = 'webgpu' // computed so browser bundlers never try to resolve the native package
    mod = await import(/* @vite-ignore */ name)
  } catch (err) {
    return `the optional package 'webgpu' (Dawn for Node) could not be loaded: ${String(err)}`
  }
  if (!isDawnModule(mod)) return "the package 'webgpu' does not export create()"
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in globalThis))
      Object.defineProperty(globalThis, key, { value, configurable: true, writable: true })
  }
  const gpu = mod.create([])
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true })
  else
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    })
  return null
}
