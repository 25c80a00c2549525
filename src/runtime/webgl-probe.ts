/**
 * Which WebGL renderer a page or worker would get: its name (e.g. "ANGLE (Google, Vulkan 1.3.0
 * (SwiftShader Device (Subzero)), SwiftShader driver)") and whether it is a software renderer,
 * i.e. the GPU emulated on the CPU. tfjs's webgl backend on SwiftShader is many times slower
 * than wasm (default graph: 14.2 s vs 0.91 s in Chromium here), so 'auto' passes over it
 * (backend.ts; docs/decisions/0020-software-webgl.md).
 */

/** A WebGL renderer as the platform names it. */
export interface WebGlRenderer {
  readonly renderer: string
  readonly software: boolean
}

/** Names of CPU-emulated GPUs (shared with the WebGPU adapter check). */
export const SOFTWARE_RENDERER = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render/i

/** Opens a throwaway WebGL context and reads its renderer; a string says why there is none. */
export function probeWebGl(): WebGlRenderer | string {
  let canvas: OffscreenCanvas | HTMLCanvasElement
  if (typeof OffscreenCanvas !== 'undefined') canvas = new OffscreenCanvas(1, 1)
  else if (typeof document !== 'undefined') canvas = document.createElement('canvas')
  else return 'no canvas to create a WebGL context on'
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl')
  if (!gl) return 'WebGL is unavailable (no context: disabled, blocklisted or no GPU process)'
  try {
    const debug = gl.getExtension('WEBGL_debug_renderer_info')
    const name = String(
      gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown renderer',
    )
    return { renderer: name, software: SOFTWARE_RENDERER.test(name) }
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext()
  }
}
