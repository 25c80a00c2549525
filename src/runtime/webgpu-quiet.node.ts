/**
 * A quiet look for a WebGPU adapter in Node: Dawn writes its Vulkan messages ("Couldn't load
 * Vulkan: libvulkan.so.1 ...", "maxDynamicUniformBuffers... artificially reduced") straight to the
 * process's stderr from native code, where JavaScript cannot catch them. So 'auto' first asks a
 * child process, whose stderr is discarded, what adapter there is; only a hardware adapter is then
 * opened in this process. `--verbose` (STEP_VERBOSE=1) and `step info` skip this and show the
 * messages (docs/decisions/0023-photos-in.md).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SOFTWARE_RENDERER } from './webgl-probe.js'
import { lavapipeIcdPath } from './webgpu.node.js'

/** What the child found: an adapter (and whether it is software), or why there is none. */
export type QuietProbe =
  { readonly adapter: string; readonly fallback: boolean } | { readonly none: string }

const SCRIPT = `
const [url] = process.argv.slice(1)
const m = await import(url)
Object.assign(globalThis, m.globals)
const a = await m.create([]).requestAdapter({ powerPreference: 'high-performance' })
const i = a?.info
process.stdout.write(JSON.stringify(i ? { adapter: [i.vendor, i.architecture, i.device, i.description].join(' '), fallback: i.isFallbackAdapter === true } : { none: 'no WebGPU adapter' }))
process.exit(0)
`

/** Asks a child process (stderr discarded, 20 s at most) for the WebGPU adapter Dawn finds. */
export async function quietWebGpuProbe(env: NodeJS.ProcessEnv = process.env): Promise<QuietProbe> {
  let url: string
  try {
    url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href
  } catch {
    return { none: "the optional package 'webgpu' (Dawn for Node) is not installed" }
  }
  return await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, url], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => (out += chunk))
    child.on('error', (err) => resolve({ none: `the WebGPU probe did not start (${err.message})` }))
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as QuietProbe)
      } catch {
        resolve({ none: `the WebGPU probe failed (exit code ${code ?? 'none'})` })
      }
    })
  })
}

/** The environment Dawn is started with (as installNodeWebGpu sets it), without changing ours. */
function dawnEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  if (!env.VK_ICD_FILENAMES && existsSync(lavapipeIcdPath()))
    env.VK_ICD_FILENAMES = lavapipeIcdPath()
  if (!env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `step-xdg-${process.getuid?.() ?? 0}`)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    env.XDG_RUNTIME_DIR = dir
  }
  return env
}

/**
 * Why 'auto' should pass WebGPU over without opening Dawn here (no adapter, or a software one),
 * or null when there is a hardware adapter to open.
 */
export async function quietSkipReason(): Promise<string | null> {
  const found = await quietWebGpuProbe(dawnEnv())
  if ('none' in found) return found.none
  if (found.fallback || SOFTWARE_RENDERER.test(found.adapter))
    return `skipped in auto mode: ${found.adapter.trim()} is a software adapter (CPU-emulated, slower than the next candidate); ask for webgpu explicitly to use it`
  return null
}
